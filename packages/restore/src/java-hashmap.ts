import { stringHashCode } from './java-hash.js';

/**
 * Iteration order of a `java.util.HashMap<String, ?>` created with the default capacity (16) into
 * which `keys` were inserted in the given order (duplicates ignored): buckets ascending by
 * `(h ^ (h >>> 16)) & (capacity - 1)`, insertion order inside a bucket. The capacity doubles while
 * the size exceeds 0.75 × capacity; resizing keeps the relative order inside a bucket.
 * (Tree bins, which only form with ≥ 8 collisions in one bucket at capacity ≥ 64, are ignored.)
 */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  const unique: string[] = [];
  const seen = new Set<string>();
  for (const k of keys) {
    if (!seen.has(k)) {
      seen.add(k);
      unique.push(k);
    }
  }
  let capacity = 16;
  while (unique.length > capacity * 0.75) capacity *= 2;
  const bucket = (k: string): number => {
    const h = stringHashCode(k);
    return (h ^ (h >>> 16)) & (capacity - 1);
  };
  return unique
    .map((k, i) => ({ k, i, b: bucket(k) }))
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.k);
}

/** Java `AbstractID.hashCode()` of a 32-hex id: XOR of its four big-endian 32-bit words. */
export function abstractIdHashCode(hex: string): number {
  let h = 0;
  for (let i = 0; i < 32; i += 8) h ^= Number.parseInt(hex.slice(i, i + 8), 16) | 0;
  return h;
}

/** Table size of `CollectionUtil.newHashMapWithExpectedSize(n)` before any insert. */
export function expectedSizeCapacity(n: number): number {
  const requested = n < 3 ? n + 1 : Math.ceil(n / 0.75);
  let cap = 1;
  while (cap < requested) cap *= 2;
  return cap;
}

/**
 * Iteration order of a Java HashMap with initial table size `capacity` (a power of two) after
 * inserting `keys` (distinct) in order, given their Java hash codes.
 */
export function javaHashMapOrderBy<K>(keys: readonly K[], hashCode: (k: K) => number, capacity: number): K[] {
  let cap = capacity;
  while (keys.length > cap * 0.75) cap *= 2;
  return keys
    .map((k, i) => {
      const h = hashCode(k);
      return { k, i, b: (h ^ (h >>> 16)) & (cap - 1) };
    })
    .sort((x, y) => x.b - y.b || x.i - y.i)
    .map((e) => e.k);
}
