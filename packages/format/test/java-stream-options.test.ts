import { describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import { readJavaStream, readJavaStreamPrefix, type JavaArray, type JavaObject } from '../src/trailer/index.js';

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const utf = (s: string): string => Buffer.from(s).length.toString(16).padStart(4, '0') + Buffer.from(s).toString('hex');
const code = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return (e as FormatError).code;
  }
  return 'none';
};

// new byte[]{1,2,3}
const BYTES = hex(`aced0005 75 72 ${utf('[B')} acf317f8060854e0 02 0000 78 70 00000003 010203`);
// a HashMap-like object whose writeObject wrote block data and one string
const ANNOTATED = hex(`aced0005 73 72 ${utf('x.M')} 0000000000000001 03 0000 78 70 77 02 0a0b 74 ${utf('k')} 78`);

describe('readJavaStream opt-ins', () => {
  it('rejects arrays and annotations unless asked (the trailer subset is unchanged)', () => {
    expect(code(() => readJavaStream(BYTES))).toBe('BadTrailer');
    expect(code(() => readJavaStream(ANNOTATED))).toBe('BadTrailer');
  });

  it('reads byte arrays as views and object annotations in stream order', () => {
    const arr = readJavaStream(BYTES, 0, '', { arrays: true }).root as JavaArray;
    expect(arr.kind).toBe('array');
    expect([...(arr.elements as Uint8Array)]).toEqual([1, 2, 3]);
    const obj = readJavaStream(ANNOTATED, 0, '', { annotations: true }).root as JavaObject;
    const ann = obj.classData[0]!.annotation!;
    expect([...(ann[0] as Uint8Array)]).toEqual([0x0a, 0x0b]);
    expect(ann[1]).toBe('k');
  });

  it('an allow-list rejects other classes with ClassNotAllowed at the descriptor', () => {
    expect(code(() => readJavaStream(BYTES, 0, '', { arrays: true, allowClass: (n) => n === '[I' }))).toBe('ClassNotAllowed');
    expect(readJavaStream(BYTES, 0, '', { arrays: true, allowClass: (n) => n === '[B' }).classDescs[0]!.name).toBe('[B');
  });

  it('array lengths are checked against the remaining bytes before anything is allocated', () => {
    const longs = hex(`aced0005 75 72 ${utf('[J')} 782004b512b17593 02 0000 78 70 00000002 0000000000000001`);
    expect(code(() => readJavaStream(longs, 0, '', { arrays: true }))).toBe('Truncated');
    const negative = hex(`aced0005 75 72 ${utf('[B')} acf317f8060854e0 02 0000 78 70 ffffffff`);
    expect(code(() => readJavaStream(negative, 0, '', { arrays: true }))).toBe('BadTrailer');
  });
});

// an object of class x.H with a field `c` (Class) = y.User.class; handles: 0 desc x.H, 1 signature, 2 obj, 3 desc y.User, 4 class
const CLASS_FIELD = hex(
  `aced0005 73 72 ${utf('x.H')} 0000000000000001 02 0001 4c ${utf('c')} 74 ${utf('Ljava/lang/Class;')} 78 70` +
    ` 76 72 ${utf('y.User')} 0000000000000002 02 0000 78 70`,
);
// the same, then (stream prefix) an instance of y.User referencing its descriptor (handle 4)
const CLASS_THEN_INSTANCE = hex(
  `aced0005 73 72 ${utf('x.P')} 0000000000000001 02 0002 4c ${utf('c')} 74 ${utf('Ljava/lang/Class;')} 4c ${utf('o')} 74 ${utf('Ljava/lang/Object;')} 78 70` +
    ` 76 72 ${utf('y.User')} 0000000000000002 02 0000 78 70  73 71 007e0004`,
);

describe('readJavaStream: Class objects and stream prefixes', () => {
  it('reads TC_CLASS only when asked, and lets a class be named without letting its instances in', () => {
    expect(code(() => readJavaStream(CLASS_FIELD))).toBe('BadTrailer');
    const allow = (n: string) => n.startsWith('x.');
    expect(code(() => readJavaStream(CLASS_FIELD, 0, '', { classes: true, allowClass: allow }))).toBe('ClassNotAllowed');
    const s = readJavaStream(CLASS_FIELD, 0, '', { classes: true, allowClass: allow, allowClassObject: () => true });
    expect((s.root as JavaObject).classData[0]!.values[0]).toMatchObject({ kind: 'class', classDesc: { name: 'y.User' } });
    const err = (() => {
      try {
        readJavaStream(CLASS_THEN_INSTANCE, 0, '', { classes: true, allowClass: allow, allowClassObject: () => true });
      } catch (e) {
        return e as FormatError;
      }
    })();
    expect(err).toMatchObject({ code: 'ClassNotAllowed', detail: expect.stringContaining('y.User') });
  });

  it('readJavaStreamPrefix stops after the first stream and says how long it was', () => {
    const two = new Uint8Array([...BYTES, ...BYTES, 0x42]);
    expect(code(() => readJavaStream(two, 0, '', { arrays: true }))).toBe('BadTrailer');
    const first = readJavaStreamPrefix(two, 0, '', { arrays: true });
    expect(first.length).toBe(BYTES.length);
    const second = readJavaStreamPrefix(two.subarray(first.length), first.length, '', { arrays: true });
    expect(second.length).toBe(BYTES.length);
    expect([...((second.root as JavaArray).elements as Uint8Array)]).toEqual([1, 2, 3]);
  });
});
