import { UsageError } from '@ckpt/format';
import type { KeyGroupSpan } from '../rocksdb/keyed.js';

/** One slice of a conversion split over `count` processes: `index` in 0..count-1 (`--shard i/n`). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** `i/n` as given to `--shard` (Kubernetes Indexed Jobs count from 0). */
export function parseShard(text: string): ShardSpec {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || count > 32768 || index >= count) {
    throw new UsageError('BadArgument', `--shard expects i/n with 0 <= i < n <= 32768 (e.g. 0/4), got ${text}`);
  }
  return { index, count };
}

/**
 * The shard that converts subtask `subtask` of `parallelism` new subtasks: contiguous runs of
 * subtasks (so of key groups) per shard, every operator split the same way. With fewer subtasks
 * than shards, some shards own none of an operator.
 */
export function shardOfSubtask(subtask: number, parallelism: number, count: number): number {
  return Math.floor((subtask * count) / parallelism);
}

/** The new subtasks of `parallelism` that `shard` converts. */
export function ownedSubtasks(parallelism: number, shard: ShardSpec): number[] {
  const out: number[] = [];
  for (let s = 0; s < parallelism; s++) if (shardOfSubtask(s, parallelism, shard.count) === shard.index) out.push(s);
  return out;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/**
 * The key groups under the old max parallelism `from` that can hold keys whose key group under
 * `to` is in `wanted`, as ascending spans. A key's key group is `murmur(hashCode) % maxParallelism`,
 * so its old and new key groups agree modulo gcd(from, to): the same key groups when the max
 * parallelism is unchanged, a few runs of them when one divides the other, all when they are coprime.
 */
export function sourceKeyGroupSpans(from: number, to: number, wanted: readonly KeyGroupSpan[]): KeyGroupSpan[] {
  const d = gcd(from, to);
  const residue = new Uint8Array(d);
  for (const w of wanted) {
    if (w.end - w.start + 1 >= d) residue.fill(1);
    else for (let g = w.start; g <= w.end; g++) residue[g % d] = 1;
  }
  const spans: KeyGroupSpan[] = [];
  for (let k = 0; k < from; k++) {
    if (residue[k % d] !== 1) continue;
    const last = spans[spans.length - 1];
    if (last && last.end === k - 1) last.end = k;
    else spans.push({ start: k, end: k });
  }
  return spans;
}

/** `spans` clipped to `[start, end]`. */
export function clipSpans(spans: readonly KeyGroupSpan[], start: number, end: number): KeyGroupSpan[] {
  const out: KeyGroupSpan[] = [];
  for (const s of spans) {
    const a = Math.max(s.start, start);
    const b = Math.min(s.end, end);
    if (a <= b) out.push({ start: a, end: b });
  }
  return out;
}
