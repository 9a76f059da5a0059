import type { KeyGroupRange } from '@ckpt/format';
import { RestoreError } from './errors.js';
import { javaHashCode, type KeyLike } from './java-hash.js';

/** Upper bound of parallelism and max parallelism (2^15). */
export const UPPER_BOUND_MAX_PARALLELISM = 32768;
/** Lower bound of the default max parallelism (2^7). */
export const DEFAULT_LOWER_BOUND_MAX_PARALLELISM = 128;

/**
 * Flink's `murmurHash(int)`: one round of MurmurHash3 x86_32 over a single int (seed 0) followed
 * by fmix32, then made non-negative by absolute value (Integer.MIN_VALUE maps to 0).
 */
export function murmurHash(code: number): number {
  let h = Math.imul(code | 0, 0xcc9e2d51);
  h = (h << 15) | (h >>> 17);
  h = Math.imul(h, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= 4;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  h |= 0;
  if (h >= 0) return h;
  if (h === -2147483648) return 0;
  return -h;
}

/** Smallest power of two >= x (x itself if it is one); x in 1..2^30. */
export function roundUpToPowerOfTwo(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

function checkInt(name: string, v: number): void {
  if (!Number.isInteger(v)) throw new RestoreError('ParallelismOutOfBounds', `${name} must be an integer: ${v}`);
}

/** Flink's parallelism precondition; the message is Flink's. */
export function checkParallelismPreconditions(parallelism: number): void {
  checkInt('parallelism', parallelism);
  if (parallelism <= 0 || parallelism > UPPER_BOUND_MAX_PARALLELISM) {
    throw new RestoreError('ParallelismOutOfBounds', `Operator parallelism not within bounds: ${parallelism}`);
  }
}

/** Default max parallelism for a parallelism: `min(max(roundUpPow2(p + p/2), 128), 32768)`. */
export function computeDefaultMaxParallelism(parallelism: number): number {
  checkParallelismPreconditions(parallelism);
  const grown = parallelism + Math.floor(parallelism / 2);
  return Math.min(Math.max(roundUpToPowerOfTwo(grown), DEFAULT_LOWER_BOUND_MAX_PARALLELISM), UPPER_BOUND_MAX_PARALLELISM);
}

/** Key group of a key hash: `murmurHash(hash) % maxParallelism`. */
export function keyGroupForKeyHash(keyHash: number, maxParallelism: number): number {
  checkInt('maxParallelism', maxParallelism);
  if (maxParallelism <= 0) throw new RestoreError('ParallelismOutOfBounds', `max parallelism must be positive: ${maxParallelism}`);
  return murmurHash(keyHash) % maxParallelism;
}

/** Key group of a key (Java hashCode of the key object, then Flink's murmur step). */
export function keyGroupForKey(key: KeyLike, maxParallelism: number): number {
  return keyGroupForKeyHash(javaHashCode(key), maxParallelism);
}

/** Subtask index that owns a key group: `floor(kg * p / m)` (no bounds checks, like Flink). */
export function operatorIndexForKeyGroup(maxParallelism: number, parallelism: number, keyGroup: number): number {
  return Math.floor((keyGroup * parallelism) / maxParallelism);
}

/** A key-group range from inclusive bounds (empty when end < start). */
export function keyGroupRangeOf(start: number, end: number): KeyGroupRange {
  return end < start ? { start: 0, count: 0 } : { start, count: end - start + 1 };
}

/** Inclusive last key group of a range (start - 1 when empty). */
export function keyGroupRangeEnd(r: KeyGroupRange): number {
  return r.start + r.count - 1;
}

/** Intersection of two key-group ranges (empty range `{start: 0, count: 0}` if disjoint). */
export function intersectKeyGroupRanges(a: KeyGroupRange, b: KeyGroupRange): KeyGroupRange {
  if (a.count === 0 || b.count === 0) return { start: 0, count: 0 };
  return keyGroupRangeOf(Math.max(a.start, b.start), Math.min(keyGroupRangeEnd(a), keyGroupRangeEnd(b)));
}

/**
 * Key groups of subtask `index` of `parallelism`: `[ceil(i*m/p), floor(((i+1)*m-1)/p)]`.
 * Bounds and messages as Flink's `computeKeyGroupRangeForOperatorIndex`.
 */
export function keyGroupRange(maxParallelism: number, parallelism: number, index: number): KeyGroupRange {
  checkParallelismPreconditions(parallelism);
  checkParallelismPreconditions(maxParallelism);
  if (maxParallelism < parallelism) {
    throw new RestoreError('ParallelismOutOfBounds', 'Maximum parallelism must not be smaller than parallelism.');
  }
  checkInt('subtask index', index);
  if (index < 0 || index >= parallelism) {
    throw new RestoreError('ParallelismOutOfBounds', `subtask index ${index} not in 0..${parallelism - 1}`);
  }
  const start = Math.floor((index * maxParallelism + parallelism - 1) / parallelism);
  const end = Math.floor(((index + 1) * maxParallelism - 1) / parallelism);
  return keyGroupRangeOf(start, end);
}

/** All key-group ranges of a parallelism, subtask order. */
export function keyGroupPartitions(maxParallelism: number, parallelism: number): KeyGroupRange[] {
  const out: KeyGroupRange[] = [];
  for (let i = 0; i < parallelism; i++) out.push(keyGroupRange(maxParallelism, parallelism, i));
  return out;
}
