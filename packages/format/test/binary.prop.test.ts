import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MUtf8Encoder } from 'mutf-8';
import { ByteReader, ByteWriter, FormatError } from '../src/index.js';

type Op =
  | { k: 'u8'; v: number }
  | { k: 'i32'; v: number }
  | { k: 'i64'; v: bigint }
  | { k: 'i64s'; v: bigint[] }
  | { k: 'hex'; v: string }
  | { k: 'utf'; v: string }
  | { k: 'raw'; v: Uint8Array };

const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const toHex = (b: Uint8Array, upper: boolean): string => {
  const h = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return upper ? h.toUpperCase() : h;
};

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((v) => ({ k: 'u8' as const, v })),
  fc.integer({ min: -0x80000000, max: 0x7fffffff }).map((v) => ({ k: 'i32' as const, v })),
  long.map((v) => ({ k: 'i64' as const, v })),
  fc.array(long, { maxLength: 40 }).map((v) => ({ k: 'i64s' as const, v })),
  fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.boolean()).map(([b, upper]) => ({ k: 'hex' as const, v: toHex(b, upper) })),
  fc.string({ unit: 'grapheme', maxLength: 40 }).map((v) => ({ k: 'utf' as const, v })),
  fc.uint8Array({ maxLength: 300 }).map((v) => ({ k: 'raw' as const, v })),
);

describe('ByteWriter.utf', () => {
  // mostly ASCII with NUL, non-ASCII and surrogates mixed in: every branch of the fast paths
  const unit = fc.oneof(
    { weight: 40, arbitrary: fc.constantFrom('a', '/', '-', '0', '\x7f', '\x01') },
    { weight: 1, arbitrary: fc.constant('\0') },
    { weight: 1, arbitrary: fc.constantFrom('\x80', 'é', '\u07ff', '\u0800', '€', '\ufeff', '\ud800', '\udfff', '😀') },
  );
  const mutf8 = new MUtf8Encoder();
  it('writes what a plain modified UTF-8 encoder writes, at any length and buffer size', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit, maxLength: 120, size: 'max' }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 1000 }),
        (strings, initial) => {
          const w = new ByteWriter(initial);
          const expected: number[] = [];
          for (const s of strings) {
            w.utf(s);
            const body = mutf8.encode(s);
            expected.push(body.length >> 8, body.length & 0xff, ...body);
          }
          expect(Array.from(w.finish())).toEqual(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('skimStrings checks a string exactly as reading it does, but returns the empty string', () => {
    const outcome = (b: Uint8Array, skim: boolean) => {
      const r = new ByteReader(b);
      r.skimStrings = skim;
      try {
        return { value: r.utf('s'), offset: r.offset };
      } catch (e) {
        return { code: (e as FormatError).code, offset: (e as FormatError).offset };
      }
    };
    const unit = fc.oneof(fc.constantFrom('a', '\0', 'é', '€', '\ud800', '😀'), fc.string({ maxLength: 3 }));
    const encoded = fc.array(unit, { maxLength: 12 }).map((parts) => {
      const body = new MUtf8Encoder().encode(parts.join(''));
      return Uint8Array.from([body.length >> 8, body.length & 0xff, ...body]);
    });
    fc.assert(
      fc.property(fc.oneof(encoded, fc.uint8Array({ maxLength: 40 })), (b) => {
        const read = outcome(b, false);
        const skim = outcome(b, true);
        if ('value' in read) expect(skim).toEqual({ value: '', offset: read.offset });
        else expect(skim).toEqual(read);
      }),
      { numRuns: 2000 },
    );
  });

  it('writes the longest ASCII string writeUTF allows, and refuses one more char', () => {
    const w = new ByteWriter(1 << 18);
    w.utf('x'.repeat(0xffff));
    const out = w.finish();
    expect(out.length).toBe(0x10001);
    expect(new ByteReader(out).utf()).toBe('x'.repeat(0xffff));
    expect(() => new ByteWriter(1 << 18).utf('x'.repeat(0x10000))).toThrow(/65535/);
  });
});

describe('ByteWriter chunks and ByteReader', () => {
  it('reads back what was written, whatever the initial size (chunk boundaries anywhere)', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), fc.integer({ min: 1, max: 64 }), (ops, initial) => {
        const small = new ByteWriter(initial);
        const big = new ByteWriter(1 << 16);
        for (const w of [small, big]) {
          for (const o of ops) {
            if (o.k === 'u8') w.u8(o.v);
            else if (o.k === 'i32') w.i32(o.v);
            else if (o.k === 'i64') w.i64(o.v);
            else if (o.k === 'i64s') w.i64s(o.v);
            else if (o.k === 'hex') w.hexBytes(o.v, 'hex');
            else if (o.k === 'utf') w.utf(o.v);
            else w.raw(o.v);
          }
        }
        const bytes = small.finish();
        expect(small.length).toBe(bytes.length);
        expect(bytes).toEqual(big.finish());
        const r = new ByteReader(bytes);
        for (const o of ops) {
          if (o.k === 'u8') expect(r.u8()).toBe(o.v);
          else if (o.k === 'i32') expect(r.i32()).toBe(o.v);
          else if (o.k === 'i64') expect(r.i64()).toBe(o.v);
          else if (o.k === 'i64s') expect(r.i64s(o.v.length)).toEqual(o.v);
          else if (o.k === 'hex') expect(toHex(r.raw(o.v.length / 2), false)).toBe(o.v.toLowerCase());
          else if (o.k === 'utf') expect(r.utf()).toBe(o.v);
          else expect(r.raw(o.v.length)).toEqual(o.v);
        }
        expect(r.remaining).toBe(0);
      }),
    );
  });

  it('refuses longs outside 64 bits, non-bigints and non-hex digits with InvalidModel', () => {
    const bad: unknown[] = [1n << 63n, -(1n << 63n) - 1n, 5, '7', null];
    for (const v of bad) {
      expect(() => new ByteWriter(8).i64s([0n, v as bigint], 'offset')).toThrow(expect.objectContaining({ code: 'InvalidModel' }));
    }
    for (const h of ['0g', 'zz', ' 1', '1\u0661']) {
      expect(() => new ByteWriter(8).hexBytes(h, 'id')).toThrow(expect.objectContaining({ code: 'InvalidModel' }));
    }
    expect(() => new ByteReader(new Uint8Array(15)).i64s(2, 'offsets')).toThrow(expect.objectContaining({ code: 'Truncated' }));
  });

  it('patchI32 overwrites an int in any chunk', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 16 }), fc.integer(), (n, initial, v) => {
        const w = new ByteWriter(initial);
        for (let i = 0; i < n; i++) w.i32(i);
        const k = (v >>> 0) % n;
        w.patchI32(k * 4, v);
        const r = new ByteReader(w.finish());
        for (let i = 0; i < n; i++) expect(r.i32()).toBe(i === k ? v : i);
      }),
    );
  });

  it('patchI32 past the bytes written is a FormatError (Internal), not a RangeError', () => {
    const w = new ByteWriter(4);
    for (let i = 0; i < 3; i++) w.i32(i);
    const e = (() => {
      try {
        w.patchI32(12, 1);
      } catch (x) {
        return x;
      }
    })();
    expect(e).toBeInstanceOf(FormatError);
    expect(e).toMatchObject({ code: 'Internal', offset: 12 });
    const r = new ByteReader(w.finish());
    expect([r.i32(), r.i32(), r.i32()]).toEqual([0, 1, 2]);
  });

  it('errors name the path of the failing field, pushed and popped without closures', () => {
    const r = new ByteReader(new Uint8Array(2));
    r.path = 'operators[1]';
    r.enter2('subtasks', 3);
    r.enter('managedKeyedState');
    r.enter(0);
    const e = (() => {
      try {
        r.i32('x');
      } catch (err) {
        return err as FormatError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(FormatError);
    expect(e!.path).toBe('operators[1].subtasks[3].managedKeyedState[0]');
    r.leave();
    r.leave();
    r.leave2();
    expect(r.path).toBe('operators[1]');
    expect(r.at('[7]', () => r.path)).toBe('operators[1][7]');
  });
});
