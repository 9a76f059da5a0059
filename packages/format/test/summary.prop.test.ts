import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_DIALECT,
  decodeMetadata,
  encodeMetadata,
  FormatError,
  summarizeMetadata,
  summarizeMetadataStream,
  type MetadataSummary,
} from '../src/index.js';
import { metadataArb } from './support/arbitraries.js';
import { corpusEntries, HAVE_CORPUS, readCorpusFile } from './support/corpus.js';
import { generatedFixtures } from './support/generated.js';

/** The bytes as a stream of chunks cut at the given (sorted, deduplicated) positions. */
async function* chunks(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  let at = 0;
  for (const c of [...new Set(cuts.map((x) => x % (bytes.length + 1)))].sort((a, b) => a - b)) {
    yield bytes.slice(at, c);
    at = c;
  }
  yield bytes.slice(at);
}

async function streamed(
  bytes: Uint8Array,
  cuts: number[],
  dialect = DEFAULT_DIALECT,
  readAhead?: number,
): Promise<MetadataSummary | FormatError> {
  try {
    return await summarizeMetadataStream(chunks(bytes, cuts), { dialect, ...(readAhead ? { readAhead } : {}) });
  } catch (e) {
    if (e instanceof FormatError) return e;
    throw e;
  }
}

describe('streaming summary', () => {
  it('equals the summary of the full decode on random models, however the stream is cut', async () => {
    // a small read-ahead makes the cursor refill, compact and grow its buffer many times per file
    const readAhead = fc.option(fc.integer({ min: 1, max: 512 }), { nil: undefined });
    await fc.assert(
      fc.asyncProperty(metadataArb(), fc.array(fc.nat(), { maxLength: 20 }), readAhead, async ({ meta, dialect }, cuts, ahead) => {
        const bytes = encodeMetadata(meta);
        const got = await streamed(bytes, cuts, dialect, ahead);
        expect(got).toEqual(summarizeMetadata(decodeMetadata(bytes, { dialect })));
      }),
      { numRuns: 300 },
    );
  });

  it('copies each chunk when it comes: a source may overwrite a chunk once the next is asked for', async () => {
    // one buffer for every chunk, scribbled over after each hand-out
    async function* reusing(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
      const buf = new Uint8Array(size);
      for (let at = 0; at < bytes.length; at += size) {
        const n = Math.min(size, bytes.length - at);
        buf.set(bytes.subarray(at, at + n));
        yield buf.subarray(0, n);
        buf.fill(0xa5);
      }
    }
    await fc.assert(
      fc.asyncProperty(metadataArb(), fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 512 }), async ({ meta, dialect }, size, ahead) => {
        const bytes = encodeMetadata(meta);
        const got = await summarizeMetadataStream(reusing(bytes, size), { dialect, readAhead: ahead });
        expect(got).toEqual(summarizeMetadata(decodeMetadata(bytes, { dialect })));
      }),
      { numRuns: 150 },
    );
  });

  it('fails with the error code of the full decode on truncated input', async () => {
    await fc.assert(
      fc.asyncProperty(metadataArb(6), fc.nat(), fc.array(fc.nat(), { maxLength: 5 }), fc.integer({ min: 1, max: 256 }), async ({ meta }, cut, cuts, ahead) => {
        const bytes = encodeMetadata(meta);
        const short = bytes.slice(0, cut % bytes.length);
        let full: FormatError | undefined;
        try {
          decodeMetadata(short, { dialect: DEFAULT_DIALECT });
        } catch (e) {
          full = e as FormatError;
        }
        const got = await streamed(short, cuts, DEFAULT_DIALECT, ahead);
        if (full === undefined) {
          expect(got).toEqual(summarizeMetadata(decodeMetadata(short, { dialect: DEFAULT_DIALECT })));
        } else {
          expect(got).toBeInstanceOf(FormatError);
          expect((got as FormatError).code).toBe(full.code);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a read-ahead that is not a positive integer', async () => {
    for (const readAhead of [0, -1, 1.5, Number.NaN]) {
      await expect(summarizeMetadataStream(chunks(new Uint8Array(8), []), { readAhead })).rejects.toMatchObject({ code: 'BadValue' });
    }
  });

  const real = [
    ...generatedFixtures().map((f) => [`${f.flinkVersion}/${f.scenario}`, () => new Uint8Array(readFileSync(f.metadataFile))] as const),
    ...(HAVE_CORPUS ? corpusEntries().map((e) => [`corpus ${e.id}`, () => readCorpusFile(e)] as const) : []),
  ];
  it.each(real)('%s: equals the summary of the full decode', async (_name, read) => {
    const bytes = read();
    const meta = decodeMetadata(bytes);
    const want = summarizeMetadata(meta);
    // which layout the full decode detected: the stream needs it when it is not the released one
    let dialect = DEFAULT_DIALECT;
    for (const d of [DEFAULT_DIALECT, { ...DEFAULT_DIALECT, channelSubtaskIndex: false }, { changelog: 'flink-1.15-dev' as const, channelSubtaskIndex: true }, { changelog: 'flink-1.14' as const, channelSubtaskIndex: true }]) {
      try {
        decodeMetadata(bytes, { dialect: d });
        dialect = d;
        break;
      } catch {
        continue;
      }
    }
    expect(await streamed(bytes, [1, 7, 100, 4096], dialect)).toEqual(want);
    expect(await streamed(bytes, [3, 5000], dialect, 64)).toEqual(want);
    expect(want.operators.length).toBe(meta.operators.length);
    expect(want.totals.subtasks).toBe(meta.operators.reduce((n, o) => n + o.subtasks.length, 0));
  });
});
