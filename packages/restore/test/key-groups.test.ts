import { describe, expect, it } from 'vitest';
import {
  computeDefaultMaxParallelism,
  javaHashCode,
  keyGroupForKey,
  keyGroupRange,
  murmurHash,
  operatorIndexForKeyGroup,
  RestoreError,
  type KeyLike,
} from '../src/index.js';

// Spec §9.1 (numbers computed on a JVM).
const table: [string, KeyLike, number, number, number | null, number | null][] = [
  // name, key, hashCode, murmur, kg(256), kg(32768)
  ['int 42', 42, 42, 1134849565, 29, 28189],
  ['long 42L', 42n, 42, 1134849565, 29, 28189],
  ['"hello"', 'hello', 99162322, 1715862179, 163, 31395],
  ['""', '', 0, 593689054, 222, 31198],
  ['int 0', 0, 0, 593689054, 222, 31198],
  ['"a"', 'a', 97, 1455541201, 209, 19409],
  ['int -1', -1, -1, 1982413648, 80, 15184],
  ['int MIN', -2147483648, -2147483648, 1718298732, 108, 10348],
  ['long -1L', -1n, 0, 593689054, null, null],
  ['long 2^32', 4294967296n, 1, 68075478, null, null],
  ['"user-1"', 'user-1', -836031825, 1662039673, 121, 13945],
  ['true', true, 1231, 1090530765, 205, 11725],
  ['double 3.5', 3.5, 1074528256, 1385515823, 47, 19247],
  ['"é"', '\u00e9', 233, 1107437598, null, null],
  ['"😀"', '\u{1F600}', 1772899, 1934073014, null, null],
  ['Tuple2("hello", 42)', { type: 'Tuple', fields: [{ type: 'String', value: 'hello' }, { type: 'Integer', value: 42 }] }, -1220935272, 788696684, null, null],
];
const kg128: Record<string, [number, number, number]> = {
  'int 42': [29, 0, 1], 'long 42L': [29, 0, 1], '"hello"': [35, 0, 1], '""': [94, 2, 3], 'int 0': [94, 2, 3],
  '"a"': [81, 1, 3], 'int -1': [80, 1, 3], 'int MIN': [108, 2, 4], 'long -1L': [94, 2, 3], 'long 2^32': [86, 2, 3],
  '"user-1"': [121, 2, 4], true: [77, 1, 3], 'double 3.5': [47, 1, 1], '"é"': [30, 0, 1], '"😀"': [54, 1, 2],
  'Tuple2("hello", 42)': [108, 2, 4],
};

describe('key groups (spec §9.1)', () => {
  for (const [name, key, hash, murmur, k256, k32768] of table) {
    it(name, () => {
      expect(javaHashCode(key)).toBe(hash);
      expect(murmurHash(hash)).toBe(murmur);
      const [kg, p3, p5] = kg128[name]!;
      expect(keyGroupForKey(key, 128)).toBe(kg);
      expect(operatorIndexForKeyGroup(128, 3, kg)).toBe(p3);
      expect(operatorIndexForKeyGroup(128, 5, kg)).toBe(p5);
      if (k256 !== null) expect(keyGroupForKey(key, 256)).toBe(k256);
      if (k32768 !== null) expect(keyGroupForKey(key, 32768)).toBe(k32768);
    });
  }
  it('murmur of MIN_VALUE result maps to 0, not a negative number', () => {
    // Flink's murmur step is a bijection on ints; -2089875627 is the one input whose mixed hash is
    // Integer.MIN_VALUE (computed by inverting the steps), the case Math.abs cannot make positive
    // and Flink maps to 0. Without that case the result would be 2^31 (key group 2 of 3, not 0).
    const hash = -2089875627;
    expect(murmurHash(hash)).toBe(0);
    expect(keyGroupForKey(hash, 3)).toBe(0);
    expect(keyGroupForKey(hash, 32768)).toBe(0);
    // its neighbours are ordinary
    expect(murmurHash(hash - 1)).toBeGreaterThan(0);
    expect(murmurHash(hash + 1)).toBeGreaterThan(0);
  });
  it('Java hash codes of the other value types', () => {
    expect(javaHashCode({ type: 'Boolean', value: false })).toBe(1237);
    expect(javaHashCode({ type: 'Character', value: 'A' })).toBe(65);
    expect(javaHashCode({ type: 'Short', value: -5 })).toBe(-5);
    expect(javaHashCode({ type: 'Float', value: 1 })).toBe(0x3f800000);
    expect(javaHashCode({ type: 'Double', value: -0 })).toBe(-2147483648);
    expect(javaHashCode({ type: 'Double', value: NaN })).toBe(2146959360);
    expect(javaHashCode({ type: 'Tuple', fields: [{ type: 'String', value: 'x' }] })).toBe(javaHashCode('x'));
    expect(javaHashCode({ type: 'Tuple', fields: [null, { type: 'Integer', value: 1 }] })).toBe(1);
    // Row(kind INSERT = 0): 31*(31*0 + (31+h0)) + (31+h1)
    expect(javaHashCode({ type: 'Row', fields: [{ type: 'Integer', value: 1 }, { type: 'Integer', value: 2 }] })).toBe(31 * 32 + 33);
    expect(() => javaHashCode({ type: 'Byte', value: 200 })).toThrow(RestoreError);
  });
});

describe('default max parallelism (spec §3.1)', () => {
  const cases: [number, number][] = [[1, 128], [2, 128], [3, 128], [5, 128], [85, 128], [86, 256], [100, 256], [128, 256], [1000, 2048], [20000, 32768], [30000, 32768], [32768, 32768]];
  for (const [p, m] of cases) it(`p=${p} → ${m}`, () => expect(computeDefaultMaxParallelism(p)).toBe(m));
  it('rejects parallelism out of bounds with Flink\'s text', () => {
    expect(() => computeDefaultMaxParallelism(0)).toThrow('Operator parallelism not within bounds: 0');
    expect(() => computeDefaultMaxParallelism(32769)).toThrow('Operator parallelism not within bounds: 32769');
  });
});

describe('key-group ranges (spec §9.2)', () => {
  const r = (m: number, p: number) => Array.from({ length: p }, (_, i) => keyGroupRange(m, p, i)).map((x) => [x.start, x.start + x.count - 1]);
  it('m=128', () => {
    expect(r(128, 3)).toEqual([[0, 42], [43, 85], [86, 127]]);
    expect(r(128, 5)).toEqual([[0, 25], [26, 51], [52, 76], [77, 102], [103, 127]]);
    expect(r(128, 2)).toEqual([[0, 63], [64, 127]]);
  });
  it('m=256 p=2, m=10 p=4', () => {
    expect(r(256, 2)).toEqual([[0, 127], [128, 255]]);
    expect(r(10, 4)[1]).toEqual([3, 4]);
  });
  it('bounds as Flink', () => {
    expect(() => keyGroupRange(4, 5, 0)).toThrow('Maximum parallelism must not be smaller than parallelism.');
    expect(() => keyGroupRange(40000, 5, 0)).toThrow('Operator parallelism not within bounds: 40000');
  });
});
