/**
 * Truncation sweep: every prefix of every seed of a target must either decode (a prefix can be a
 * complete input, e.g. `uid=p` lines cut after a line) or fail with the target's typed error
 * naming a byte offset (or, for a model read completely and then refused, its path); anything
 * else is a failure. Files longer than `fullUpTo` get every prefix
 * of their first and last `edge` bytes and `samples` evenly spread cuts in between.
 */
import { runGuarded } from './crashers.js';
import type { Target } from './targets.js';

export interface SweepOptions {
  /** Seeds up to this many bytes get every prefix (default: all). */
  fullUpTo?: number;
  edge?: number;
  samples?: number;
  /** Bytes of a seed that are a fixed context, not file content (the state targets' 2-byte index). */
  keep?: number;
  /** Only every k-th seed (a sample for the tests). */
  everySeed?: number;
  /** Stops recording failures after this many (the sweep itself goes on). */
  maxFailures?: number;
}

export interface SweepFailure {
  seed: number;
  cut: number;
  bytes: Uint8Array;
  why: string;
}

export interface SweepResult {
  target: string;
  seeds: number;
  prefixes: number;
  decoded: number;
  refused: number;
  failures: SweepFailure[];
  failureCount: number;
}

/** The cut points of a `len`-byte body. */
export function cuts(len: number, o: SweepOptions): number[] {
  const fullUpTo = o.fullUpTo ?? Infinity;
  if (len <= fullUpTo) return Array.from({ length: len }, (_, i) => i);
  const edge = o.edge ?? 1024;
  const samples = o.samples ?? 1024;
  const set = new Set<number>();
  for (let i = 0; i < Math.min(edge, len); i++) set.add(i);
  for (let i = Math.max(0, len - edge); i < len; i++) set.add(i);
  for (let k = 0; k < samples; k++) set.add(Math.floor((k * len) / samples));
  return [...set].sort((a, b) => a - b);
}

/**
 * A refusal of a model that was read completely (a job description whose JSON or lines parsed,
 * but that names an unknown input or an out-of-bounds parallelism) names the model path instead
 * of a byte offset.
 */
function afterParse(e: { code: string; path: string | undefined }): boolean {
  return e.path !== undefined && e.path !== '';
}

export async function sweep(t: Target, seeds: Uint8Array[], o: SweepOptions = {}): Promise<SweepResult> {
  const keep = o.keep ?? 0;
  const res: SweepResult = { target: t.name, seeds: 0, prefixes: 0, decoded: 0, refused: 0, failures: [], failureCount: 0 };
  const fail = (f: SweepFailure) => {
    res.failureCount++;
    if (res.failures.length < (o.maxFailures ?? 20)) res.failures.push(f);
  };
  for (let s = 0; s < seeds.length; s += o.everySeed ?? 1) {
    const seed = seeds[s]!;
    res.seeds++;
    for (const cut of cuts(seed.length - keep, o)) {
      const bytes = seed.subarray(0, keep + cut);
      res.prefixes++;
      const out = await runGuarded(t, bytes);
      if (out.kind === 'ok') res.decoded++;
      else if (out.kind === 'typed' && (typeof out.error.offset === 'number' || afterParse(out.error))) res.refused++;
      else if (out.kind === 'typed') fail({ seed: s, cut, bytes, why: `typed error without an offset: ${out.error.message}` });
      else fail({ seed: s, cut, bytes, why: String(out.error instanceof Error ? out.error.stack : out.error) });
    }
  }
  return res;
}
