/** The checkpoint ID counter of each HA store. */
import { HaError } from './errors.js';

/**
 * ZooKeeper: Curator `SharedCount` data, a 4-byte big-endian signed int (the next id).
 * @throws HaError `BadCounter`
 */
export function readZooKeeperCounter(data: Uint8Array, source: string): number {
  if (data.length !== 4) throw new HaError('BadCounter', `counter data has ${data.length} bytes, expected 4`, { file: source });
  return new DataView(data.buffer, data.byteOffset, 4).getInt32(0);
}

/**
 * Kubernetes: the `counter` key holds the next id as a decimal `long` string.
 * @throws HaError `BadCounter`
 */
export function readKubernetesCounter(value: string, source: string): number {
  if (!/^[+-]?\d{1,19}$/.test(value)) throw new HaError('BadCounter', `counter ${JSON.stringify(value.slice(0, 40))} is not a decimal long`, { file: source });
  const v = BigInt(value);
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new HaError('BadCounter', `counter ${value} is out of range`, { file: source });
  }
  return Number(v);
}

/**
 * ZooKeeper counter data for `next` (the inverse of {@link readZooKeeperCounter}).
 * @throws HaError `BadCounter` when `next` is not an int
 */
export function writeZooKeeperCounter(next: number, source = 'counter'): Uint8Array {
  if (!Number.isInteger(next) || next < -0x80000000 || next > 0x7fffffff) {
    throw new HaError('BadCounter', `counter ${next} does not fit the 4-byte ZooKeeper counter`, { file: source });
  }
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, next);
  return b;
}

/** Kubernetes `counter` value for `next` (the inverse of {@link readKubernetesCounter}). */
export function writeKubernetesCounter(next: number): string {
  return String(next);
}
