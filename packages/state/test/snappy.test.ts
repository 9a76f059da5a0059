import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { hysnappyCodec, snappyjsCodec, SnappyFraming, StateError, STREAM_IDENTIFIER } from '../src/index.js';

const enc = new TextEncoder();
// Spec §6 D.2: a type-01 chunk Flink 1.19 wrote, "Here be dragons!" as a StringValue.
const D2 = Uint8Array.from([0x01, 0x15, 0, 0, 0xb2, 0x9c, 0x14, 0x5a, 0x11, ...enc.encode('Here be dragons!')]);

describe('snappy framing', async () => {
  const framing = await SnappyFraming.create();
  // framing.with({ codec }) takes loaded codecs
  await snappyjsCodec.load!();

  test('decodes a chunk Flink wrote and verifies its masked CRC-32C', () => {
    expect(new TextDecoder().decode(framing.decode(D2).subarray(1))).toBe('Here be dragons!');
  });

  for (const codec of [hysnappyCodec, snappyjsCodec]) {
    test(`round trip with ${codec.name}, chunked at 64 KiB, type 00 / 01 by the 0.85 rule`, () => {
      const f = framing.with({ codec });
      fc.assert(
        fc.property(fc.oneof(fc.uint8Array({ maxLength: 3000 }), fc.string({ maxLength: 200 }).map((s) => enc.encode(s.repeat(700)))), (data) => {
          const bytes = f.encode(data);
          expect(bytes.subarray(0, 10)).toEqual(STREAM_IDENTIFIER);
          expect(f.decode(bytes, { requireIdentifier: true })).toEqual(data);
          for (const c of f.chunks(bytes).slice(1)) expect(c.length - 4).toBeLessThanOrEqual(65536 + 65536 / 6 + 32);
        }),
        { numRuns: 60 },
      );
    });
  }

  test('both codecs read each other', () => {
    const data = enc.encode('abcabcabc'.repeat(10000));
    expect(framing.with({ codec: snappyjsCodec }).decode(framing.with({ codec: hysnappyCodec }).encode(data))).toEqual(data);
    expect(framing.with({ codec: hysnappyCodec }).decode(framing.with({ codec: snappyjsCodec }).encode(data))).toEqual(data);
  });

  test('a wrong checksum, a cut chunk, a reserved type and a missing identifier are typed errors', () => {
    const bad = D2.slice();
    bad[5]! ^= 1;
    expect(() => framing.decode(bad, { file: 'f', base: 100 })).toThrow(expect.objectContaining({ code: 'BadChecksum', file: 'f', offset: 100 }));
    expect(framing.with({ verifyChecksums: false }).decode(bad).length).toBe(17);
    expect(() => framing.decode(D2.subarray(0, 12))).toThrow(expect.objectContaining({ code: 'Truncated' }));
    const reserved = D2.slice();
    reserved[0] = 0x02;
    expect(() => framing.decode(reserved)).toThrow(StateError);
    expect(() => framing.decode(D2, { requireIdentifier: true })).toThrow(expect.objectContaining({ code: 'BadSnappy' }));
    const garbage = framing.encode(enc.encode('x'.repeat(1000)));
    garbage[garbage.length - 3] = 0xff; // damage the compressed block
    expect(() => framing.decode(garbage)).toThrow(StateError);
  });

  test('skippable chunks and repeated stream identifiers are skipped', () => {
    const skippable = Uint8Array.of(0x80, 2, 0, 0, 9, 9);
    const joined = Uint8Array.from([...STREAM_IDENTIFIER, ...D2, ...skippable, ...STREAM_IDENTIFIER, ...D2]);
    expect(framing.decode(joined).length).toBe(34);
  });

  test('block codec speed (hysnappy vs snappyjs)', () => {
    const data = new Uint8Array(64 * 1024);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 61 < 40 ? 97 + (i % 13) : (i * 2654435761) >>> 24;
    const results: Record<string, { compressMs: number; uncompressMs: number }> = {};
    for (const c of [hysnappyCodec, snappyjsCodec, hysnappyCodec, snappyjsCodec]) {
      const block = c.compress(data);
      let t = performance.now();
      for (let i = 0; i < 200; i++) c.compress(data);
      const compressMs = performance.now() - t;
      t = performance.now();
      for (let i = 0; i < 200; i++) c.uncompress(block, data.length);
      results[c.name] = { compressMs, uncompressMs: performance.now() - t };
    }
    console.log('snappy 200 × 64 KiB:', JSON.stringify(results));
    expect(Object.keys(results)).toHaveLength(2);
  });
});
