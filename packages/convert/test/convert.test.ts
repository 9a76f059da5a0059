import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetadata, encodeMetadata } from '@ckpt/format';
import { CHECKPOINT_PROTO, FORMATS, parseMetadata, serializeMetadata } from '../src/index.js';
import { corpusEntries, HAVE_CORPUS, readCorpusFile } from '../../format/test/support/corpus.js';
import { generatedFixtures } from '../../format/test/support/generated.js';
import { metadataArb } from '../../format/test/support/arbitraries.js';
import { sameBytes } from '../../format/test/support/bytes.js';

/** Byte-exact through every format (the encoder checks every value's type, so equal bytes mean
 * an equal model); `deep` also compares the models (slow on large inline state). */
function roundTrips(bytes: Uint8Array, deep = false): void {
  const meta = decodeMetadata(bytes);
  for (const f of FORMATS) {
    const back = parseMetadata(serializeMetadata(meta, f), f);
    expect(sameBytes(encodeMetadata(back), bytes), f).toBe(true);
    if (deep) {
      const { input: _a, ...m1 } = meta;
      const { input: _b, ...m2 } = back;
      expect(m2, f).toEqual(m1);
    }
  }
}

describe('conversions binary ↔ JSON ↔ msgpack ↔ protobuf', () => {
  it('the embedded proto is schemas/checkpoint.proto (run scripts/gen-schemas.mjs)', () => {
    expect(CHECKPOINT_PROTO).toBe(readFileSync(new URL('../../../schemas/checkpoint.proto', import.meta.url), 'utf8'));
  });

  it.skipIf(!HAVE_CORPUS)('are byte-exact for every corpus file', () => {
    const entries = corpusEntries();
    for (const e of entries) roundTrips(readCorpusFile(e));
    expect(entries.length).toBeGreaterThan(200);
  });

  it('are byte-exact for every fixture written by real Flink', () => {
    const fixtures = generatedFixtures();
    for (const f of fixtures) roundTrips(new Uint8Array(readFileSync(f.metadataFile)), true);
    expect(fixtures.length).toBeGreaterThan(10);
  });

  it('are byte-exact for generated models of every version and handle kind', () => {
    fc.assert(
      fc.property(metadataArb(), ({ meta }) => {
        const bytes = encodeMetadata(meta);
        for (const f of FORMATS) {
          expect(sameBytes(encodeMetadata(parseMetadata(serializeMetadata(meta, f), f)), bytes), f).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('reject garbage with a FormatError', () => {
    for (const f of FORMATS) {
      expect(() => parseMetadata(new Uint8Array([0xc1, 0xff, 0x00, 0x12]), f), f).toThrow(/FormatError|Invalid|Truncated|BadMagic|not/);
    }
  });
});
