import { describe, expect, it } from 'vitest';
import { CkptError, FormatError } from '@ckpt/format';
import { refusalOf, robustSuite } from '../../../fuzz/src/robust-suite.js';
import { parseMetadata } from '../src/index.js';
import { firstNonUtf8 } from '../src/formats.js';

// stored crashers, a truncation-sweep sample, mutation and hostile-length properties (see fuzz/README.md)
robustSuite(['convert-json', 'convert-msgpack', 'convert-protobuf']);

const refusal = (bytes: Uint8Array, format: 'json' | 'msgpack' | 'protobuf') => refusalOf(FormatError, () => parseMetadata(bytes, format));

describe('refusals of JSON, msgpack and protobuf input name an offset', () => {
  it('JSON that is not UTF-8 is BadUtf at the first bad byte, not a TypeError', async () => {
    const bytes = new Uint8Array([...new TextEncoder().encode('{"a": "é'), 0xc3, 0x28, ...new TextEncoder().encode('"}')]);
    const e = await refusal(bytes, 'json');
    expect(e.code).toBe('BadUtf');
    expect(e.offset).toBe(9); // 7 ASCII bytes and the 2-byte é before it
    expect(firstNonUtf8(new TextEncoder().encode('aé€😀'))).toBe(10);
    expect(firstNonUtf8(Uint8Array.of(0x61, 0xed, 0xa0, 0x80))).toBe(1); // a UTF-16 surrogate
    expect(firstNonUtf8(Uint8Array.of(0xe2, 0x82))).toBe(0); // cut inside a sequence
  });

  it('truncated msgpack and protobuf name where the decoder stopped', async () => {
    expect((await refusal(Uint8Array.of(0x82, 0xa1), 'msgpack')).offset).toBeLessThanOrEqual(2);
    const e = await refusal(Uint8Array.of(0x0a, 0x05, 0x01), 'protobuf');
    expect(e.code).toBe('InvalidModel');
    expect(e.offset).toBeLessThanOrEqual(3);
  });

  it('nesting 100 000 levels deep decodes or is a typed refusal in every format, never a stack overflow', () => {
    const depth = 100_000;
    const inputs: [Uint8Array, 'json' | 'msgpack' | 'protobuf'][] = [
      [new TextEncoder().encode(`{"operators":${'['.repeat(depth)}${']'.repeat(depth)}}`), 'json'],
      [Uint8Array.from([0x81, 0xa9, ...new TextEncoder().encode('operators'), ...new Array(depth).fill(0x91), 0xc0]), 'msgpack'],
      [Uint8Array.from(new Array(depth).fill([0x0a, 0x7f]).flat()), 'protobuf'],
    ];
    for (const [bytes, format] of inputs) {
      let caught: unknown;
      try {
        parseMetadata(bytes, format);
      } catch (e) {
        caught = e;
      }
      if (caught !== undefined || format === 'json') expect(caught, format).toBeInstanceOf(CkptError);
    }
  });
});
