/**
 * Hostile lengths: writes length-like values (0 … 2^32−1, see {@link HOSTILE_INT32}) over 4-byte
 * fields of the seeds and decodes under the memory ceiling; a decode slower than the per-input
 * timeout counts as a hang. Deterministic for a given seed of the PRNG.
 */
import { describeError, runGuarded, storeCrasher } from './crashers.js';
import { HOSTILE_INT32, withInt32 } from './lengths.js';
import type { Target } from './targets.js';

export interface HostileStats {
  inputs: number;
  crashes: number;
  newCrashers: number;
  largestLength: number;
  largestAllocation: number;
}

/** xorshift32: reproducible positions and values. */
export function prng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

export async function hostileLengths(
  t: Target,
  seeds: Uint8Array[],
  o: { until: number; timeoutMs: number; seed?: number; keep?: number; store?: boolean },
): Promise<HostileStats> {
  const s: HostileStats = { inputs: 0, crashes: 0, newCrashers: 0, largestLength: 0, largestAllocation: 0 };
  const rnd = prng(o.seed ?? 0x5eed);
  const keep = o.keep ?? 0;
  const usable = seeds.filter((b) => b.length >= keep + 4);
  if (usable.length === 0) return s;
  while (Date.now() < o.until) {
    const base = usable[Math.floor(rnd() * usable.length)]!;
    // length fields cluster near the start of a structure: half the positions in the first 512 bytes
    const span = base.length - keep - 3;
    const at = keep + Math.floor(rnd() * (rnd() < 0.5 ? Math.min(span, 512) : span));
    const pick = Math.floor(rnd() * (HOSTILE_INT32.length + 2));
    const value = pick < HOSTILE_INT32.length ? HOSTILE_INT32[pick]! : base.length + (pick === HOSTILE_INT32.length ? 1 : -at);
    const input = withInt32(base, at, value);
    const started = Date.now();
    const out = await runGuarded(t, input);
    const took = Date.now() - started;
    s.inputs++;
    s.largestLength = Math.max(s.largestLength, value >>> 0);
    s.largestAllocation = Math.max(s.largestAllocation, out.largestAllocation);
    const why = out.kind === 'crash' ? describeError(out.error) : took > o.timeoutMs ? `hang: ${took} ms for ${input.length} bytes` : undefined;
    if (why !== undefined) {
      s.crashes++;
      if (o.store !== false && storeCrasher(t.name, input, `hostile length ${value} at ${at}\n${why}`)) s.newCrashers++;
    }
  }
  return s;
}
