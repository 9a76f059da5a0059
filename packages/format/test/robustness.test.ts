import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetadata, encodeMetadata, FormatError } from '../src/index.js';
import { metadataArb } from './support/arbitraries.js';
import { sameBytes } from './support/bytes.js';
import { corpusEntries, HAVE_CORPUS, readCorpusFile } from './support/corpus.js';

/** Decodes and returns the FormatError, or null on success; any other throwable fails the test. */
function tryDecode(bytes: Uint8Array): FormatError | null {
  try {
    decodeMetadata(bytes);
    return null;
  } catch (e) {
    if (!(e instanceof FormatError)) throw new Error(`non-FormatError escaped: ${String(e)}`);
    if (e.code === 'Internal') throw new Error(`internal error: ${e.message}`);
    return e;
  }
}

const entries = corpusEntries();

/** A few real files of different versions and shapes. */
function samples() {
  const picked = new Map<string, (typeof entries)[number]>();
  for (const e of [...entries].sort((a, b) => Number(a.row.bytes) - Number(b.row.bytes))) {
    const key = `${e.version}:${e.flags.includes('changelog')}:${e.flags.includes('unaligned')}:${e.flags.includes('incremental')}`;
    if (!picked.has(key)) picked.set(key, e);
  }
  return [...picked.values()];
}

describe.skipIf(!HAVE_CORPUS)('hostile input derived from real files', () => {
  it.each(samples().map((e) => [`${e.id} v${e.version} ${e.flags.join(',')}`, e] as const))(
    'every truncation of %s fails with Truncated',
    (_n, e) => {
      const bytes = readCorpusFile(e);
      for (let cut = 0; cut < bytes.length; cut++) {
        const err = tryDecode(bytes.subarray(0, cut));
        expect(err, `cut at ${cut}`).not.toBeNull();
        expect(err!.code, `cut at ${cut}: ${err!.message}`).toBe('Truncated');
        expect(err!.offset).toBeLessThanOrEqual(cut);
      }
    },
  );

  it('random byte flips give a FormatError or a valid decode, never anything else', () => {
    const files = samples().map(readCorpusFile);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: files.length - 1 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (which, flips) => {
          const b = files[which]!.slice();
          for (const [pos, x] of flips) b[pos % b.length]! ^= x;
          const err = tryDecode(b);
          if (err === null) {
            // A valid decode must still re-encode to exactly these bytes.
            expect(sameBytes(encodeMetadata(decodeMetadata(b)), b)).toBe(true);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('hostile input', () => {
  const header = (version: number) => [0x49, 0x60, 0x67, 0x2d, 0, 0, 0, version];

  it('rejects a wrong magic and unknown versions', () => {
    expect(tryDecode(new Uint8Array([1, 2, 3, 4, 0, 0, 0, 3]))!.code).toBe('BadMagic');
    expect(tryDecode(new Uint8Array(header(8)))!.code).toBe('UnsupportedVersion');
    expect(tryDecode(new Uint8Array(header(0)))!.code).toBe('UnsupportedVersion');
  });

  it('fails fast on 2^31-1 operators, master states and key groups without allocating them', () => {
    const id = [0, 0, 0, 0, 0, 0, 0, 1];
    const big = [0x7f, 0xff, 0xff, 0xff];
    let err = tryDecode(new Uint8Array([...header(3), ...id, 0, 0, 0, 0, ...big]));
    expect(err!.code).toBe('Truncated');
    expect(err!.offset).toBe(20);
    err = tryDecode(new Uint8Array([...header(3), ...id, ...big]));
    expect(err!.code).toBe('Truncated');
    expect(err!.path).toBeUndefined;
    // one operator, one subtask whose managed keyed handle claims 2^31-1 key groups
    const op = [...new Array(16).fill(1), 0, 0, 0, 1, 0, 0, 0, 128, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    const subtask = [0, 0, 0, 0, 0, 0, 0, 0, 12, 0, 0, 0, 0, ...big];
    err = tryDecode(new Uint8Array([...header(3), ...id, 0, 0, 0, 0, 0, 0, 0, 1, ...op, ...subtask]));
    expect(err!.code).toBe('Truncated');
    expect(err!.path).toBe('operators[0].subtasks[0].managedKeyedState');
    const neg = [0x80, 0, 0, 0];
    err = tryDecode(new Uint8Array([...header(3), ...id, ...neg]));
    expect(err!.code).toBe('BadLength');
  });

  it('bounds the nesting of handles instead of overflowing the stack', () => {
    // keyed tag 3 whose delegate is a stream tag 3, whose delegate is tag 3, ... 100000 deep
    const op = [...new Array(16).fill(1), 0, 0, 0, 1, 0, 0, 0, 128, 0, 0, 0, 0, 1, 0, 0, 0, 0];
    const nest: number[] = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) nest.push(3, 0, 0, 0, 0, 0, 0, 0, 0);
    const b = new Uint8Array([...header(3), 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, ...op, ...nest]);
    const err = tryDecode(b);
    expect(err!.code).toBe('BadValue');
    expect(err!.message).toMatch(/nested deeper/);
  });

  it('random bytes behind a valid header never escape as another exception', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 7 }), fc.uint8Array({ maxLength: 300 }), (v, tail) => {
        tryDecode(new Uint8Array([...header(v), ...tail]));
      }),
      { numRuns: 3000 },
    );
  });

  it('random mutations of generated files never escape as another exception', () => {
    fc.assert(
      fc.property(metadataArb(), fc.nat(), fc.integer({ min: 1, max: 255 }), ({ meta }, pos, x) => {
        const original = encodeMetadata(meta);
        expect(tryDecode(original.subarray(0, pos % original.length))?.code).toBe('Truncated');
        const b = original.slice();
        b[pos % b.length]! ^= x;
        const err = tryDecode(b);
        if (err === null) expect(sameBytes(encodeMetadata(decodeMetadata(b)), b)).toBe(true);
      }),
      { numRuns: 1500 },
    );
  });
});
