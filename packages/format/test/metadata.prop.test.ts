import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeMetadata, encodeMetadata, fromJson, toJson, type CheckpointMetadata } from '../src/index.js';
import { metadataArb } from './support/arbitraries.js';
import { sameBytes } from './support/bytes.js';

function withoutInput(m: CheckpointMetadata): CheckpointMetadata {
  const { input: _ignored, ...rest } = m;
  return rest;
}

describe('metadata codec properties', () => {
  for (const version of [1, 2, 3, 4, 5, 6, 7]) {
    it(`decode(encode(m)) deep-equals m for version ${version}`, () => {
      fc.assert(
        fc.property(metadataArb(version), ({ meta, dialect }) => {
          const bytes = encodeMetadata(meta);
          expect(withoutInput(decodeMetadata(bytes, { dialect }))).toEqual(meta);
          // Whatever layout detection picks, the bytes survive.
          expect(sameBytes(encodeMetadata(decodeMetadata(bytes)), bytes)).toBe(true);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('the JSON form round-trips to the same bytes', () => {
    fc.assert(
      fc.property(metadataArb(), ({ meta }) => {
        const json = JSON.parse(JSON.stringify(toJson(meta)));
        expect(sameBytes(encodeMetadata(fromJson(json)), encodeMetadata(meta))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});
