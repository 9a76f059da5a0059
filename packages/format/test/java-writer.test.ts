import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import {
  SC_SERIALIZABLE, SC_WRITE_METHOD, TC, readJavaStream, writeJavaStream,
  type JavaClassDesc, type JavaObject, type JavaStringObject, type JavaWriteObject,
} from '../src/trailer/index.js';

const desc = (name: string, flags: number, fields: JavaClassDesc['fields'] = [], superClass: JavaClassDesc | null = null): JavaClassDesc =>
  ({ kind: 'classDesc', name, suid: 7n, flags, fields, superClass });
const STR = 'Ljava/lang/String;';
const PAIR = desc('x.Pair', SC_SERIALIZABLE, [{ code: 'L', name: 'a', signature: STR }, { code: 'L', name: 'b', signature: STR }]);
const pair = (a: unknown, b: unknown): JavaWriteObject => ({ kind: 'object', classDesc: PAIR, classData: [{ classDesc: PAIR, values: [a as string, b as string] }] });
const CUSTOM = desc('x.Custom', SC_SERIALIZABLE | SC_WRITE_METHOD);
const custom = (annotation: JavaWriteObject['classData'][0]['annotation']): JavaWriteObject =>
  ({ kind: 'object', classDesc: CUSTOM, classData: [{ classDesc: CUSTOM, values: [], annotation }] });
const count = (bytes: Uint8Array, tc: number): number => bytes.filter((b) => b === tc).length;
const formatError = (fn: () => unknown): FormatError => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(FormatError);
    return e as FormatError;
  }
  throw new Error('no error');
};

describe('writeJavaStream', () => {
  it("shares equal plain strings when interned (the default), not when 'distinct'", () => {
    const interned = writeJavaStream(pair('same', 'same'));
    const distinct = writeJavaStream(pair('same', 'same'), { strings: 'distinct' });
    // the signature is shared in both; the second 'same' is a reference only when interned
    expect(distinct.length - interned.length).toBe(1 + 2 + 4 - 5);
    const read = readJavaStream(distinct).root as JavaObject;
    expect(read.classData[0]!.values).toEqual(['same', 'same']);
    expect(count(interned, TC.REFERENCE)).toBe(2);
    expect(count(distinct, TC.REFERENCE)).toBe(1);
  });

  it('writes one String object once, then refers to it, in both modes', () => {
    const s: JavaStringObject = { kind: 'string', value: 'shared' };
    for (const strings of ['interned', 'distinct'] as const) {
      const bytes = writeJavaStream(pair(s, s), { strings });
      expect(Buffer.from(bytes).toString('latin1').split('shared').length - 1).toBe(1);
      expect((readJavaStream(bytes).root as JavaObject).classData[0]!.values).toEqual(['shared', 'shared']);
    }
  });

  it('joins custom bytes between objects and cuts them into records of at most 1024 bytes', () => {
    const bytes = writeJavaStream(custom([new Uint8Array(1500).fill(1), new Uint8Array(1000).fill(2), 'k', new Uint8Array(10).fill(3)]));
    const obj = readJavaStream(bytes, 0, '', { annotations: true }).root as JavaObject;
    const ann = obj.classData[0]!.annotation!;
    expect(ann.map((a) => (a instanceof Uint8Array ? a.length : a))).toEqual([1024, 1024, 452, 'k', 10]);
    expect(Buffer.concat(ann.slice(0, 3) as Uint8Array[]).equals(Buffer.concat([Buffer.alloc(1500, 1), Buffer.alloc(1000, 2)]))).toBe(true);
    const at = bytes.indexOf(TC.BLOCKDATALONG);
    expect(Buffer.from(bytes.subarray(at, at + 5)).toString('hex')).toBe('7a00000400');
    expect(bytes[bytes.length - 13]).toBe(TC.BLOCKDATA); // 0x77 0x0a, ten bytes, TC_ENDBLOCKDATA
  });

  it('round-trips arrays, annotations, enums and Class objects through the reader (property)', () => {
    const BYTES = desc('[B', SC_SERIALIZABLE);
    const INTS = desc('[I', SC_SERIALIZABLE);
    const OBJS = desc('[Ljava.lang.Object;', SC_SERIALIZABLE);
    const E: JavaClassDesc = { ...desc('x.E', SC_SERIALIZABLE | 0x10, [], { ...desc('java.lang.Enum', SC_SERIALIZABLE | 0x10), suid: 0n }), suid: 0n };
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3000 }),
        fc.array(fc.integer()),
        fc.array(fc.oneof(fc.string(), fc.constantFrom('A', 'B'))),
        fc.constantFrom('interned' as const, 'distinct' as const),
        (b, ints, items, strings) => {
          const elements = items.map((x) => (x === 'A' || x === 'B' ? { kind: 'enum' as const, classDesc: E, constant: x } : x));
          const root = custom([
            b,
            { kind: 'array', classDesc: BYTES, elements: b },
            { kind: 'array', classDesc: INTS, elements: ints },
            { kind: 'array', classDesc: OBJS, elements },
            { kind: 'class', classDesc: PAIR },
          ]);
          const bytes = writeJavaStream(root, { strings });
          const back = readJavaStream(bytes, 0, '', { annotations: true, arrays: true, classes: true }).root as JavaObject;
          const ann = back.classData[0]!.annotation!;
          const blocks = b.length === 0 ? 0 : Math.ceil(b.length / 1024);
          expect(Buffer.concat(ann.slice(0, blocks) as Uint8Array[]).equals(Buffer.from(b))).toBe(true);
          const [arr, intArr, objArr, cls] = ann.slice(blocks) as { kind: string; elements?: unknown; classDesc: JavaClassDesc }[];
          expect(Buffer.from(arr!.elements as Uint8Array).equals(Buffer.from(b))).toBe(true);
          expect(intArr!.elements).toEqual(ints);
          expect((objArr!.elements as unknown[]).map((x) => (typeof x === 'string' ? x : (x as { constant: string }).constant))).toEqual(items);
          expect(cls!.classDesc.name).toBe('x.Pair');
          // rewriting what was read gives the same bytes
          expect(Buffer.from(writeJavaStream(back, { strings })).equals(Buffer.from(bytes))).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('rejects bad graphs with InvalidModel', () => {
    expect(formatError(() => writeJavaStream(pair(1, null))).code).toBe('InvalidModel');
    const plain = desc('x.Plain', SC_SERIALIZABLE);
    const withData: JavaWriteObject = { kind: 'object', classDesc: plain, classData: [{ classDesc: plain, values: [], annotation: ['x'] }] };
    expect(formatError(() => writeJavaStream(withData)).detail).toMatch(/no writeObject method/);
    let deep: JavaWriteObject = custom([]);
    for (let i = 0; i < 30; i++) deep = custom([deep]);
    expect(formatError(() => writeJavaStream(deep)).detail).toMatch(/nesting deeper than 24/);
    expect(writeJavaStream(deep, { maxDepth: 40 }).length).toBeGreaterThan(0);
    const ints = { kind: 'array' as const, classDesc: desc('[I', SC_SERIALIZABLE), elements: [2 ** 31] };
    expect(formatError(() => writeJavaStream(ints)).code).toBe('InvalidModel');
  });
});
