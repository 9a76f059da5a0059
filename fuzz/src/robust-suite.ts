/**
 * The robustness tests every package runs for its decoders (from `packages/<pkg>/test/*.robust.test.ts`):
 * every stored crasher replays to a typed refusal or a decode; a sample of the truncation sweep;
 * fast-check mutation properties (bit flips, byte sets, splices, truncations, inserted and deleted
 * runs) and hostile lengths up to 2^32−1, all under the allocation ceiling of {@link ceiling}.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ceiling, installAllocationGuard } from './alloc-guard.js';
import { describeError, runGuarded, storedCrashers, type StoredCrasher } from './crashers.js';
import { HOSTILE_INT32, withInt32 } from './lengths.js';
import { sweep } from './sweep.js';
import { prepare, target, type Target } from './targets.js';

const mutation = fc.oneof(
  fc.record({ op: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant('set' as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant('int' as const), at: fc.nat(), value: fc.constantFrom(...HOSTILE_INT32, 2 ** 31) }),
  fc.record({ op: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('insert' as const), at: fc.nat(), run: fc.uint8Array({ minLength: 1, maxLength: 16 }) }),
  fc.record({ op: fc.constant('delete' as const), at: fc.nat(), len: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ op: fc.constant('splice' as const), at: fc.nat(), from: fc.nat(), len: fc.integer({ min: 1, max: 256 }) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

/** Applies mutations to a copy; the first `keep` bytes (a context index) stay as they are. */
export function mutate(seed: Uint8Array, ms: Mutation[], keep = 0): Uint8Array {
  let b: Uint8Array = seed.slice();
  for (const m of ms) {
    const room = b.length - keep;
    if (room <= 0) break;
    const at = keep + (m.at % room);
    if (m.op === 'flip') b[at] = b[at]! ^ (1 << m.bit);
    else if (m.op === 'set') b[at] = m.value;
    else if (m.op === 'int' && b.length - at >= 4) b = withInt32(b, at, m.value);
    else if (m.op === 'truncate') b = b.slice(0, at);
    else if (m.op === 'insert') b = Uint8Array.from([...b.subarray(0, at), ...m.run, ...b.subarray(at)]);
    else if (m.op === 'delete') b = Uint8Array.from([...b.subarray(0, at), ...b.subarray(at + m.len)]);
    else if (m.op === 'splice') {
      const src = b.subarray(keep + (m.from % room)).subarray(0, m.len);
      b = Uint8Array.from([...b.subarray(0, at), ...src, ...b.subarray(at)]);
    }
  }
  return b;
}

async function expectNoCrash(t: Target, bytes: Uint8Array): Promise<void> {
  const out = await runGuarded(t, bytes);
  if (out.kind === 'crash') expect.fail(`${t.name} crashed on ${bytes.length} bytes:\n${describeError(out.error)}`);
  expect(out.largestAllocation).toBeLessThanOrEqual(ceiling(bytes.length));
}

/** Seeds for the properties: a spread of at most `n` of the target's seeds, small ones first. */
function sampleSeeds(t: Target, n: number): Uint8Array[] {
  const all = [...t.seeds()].sort((a, b) => a.length - b.length).filter((s) => s.length <= 64 * 1024);
  const step = Math.max(1, Math.floor(all.length / n));
  return all.filter((_, i) => i % step === 0).slice(0, n);
}

/** The error `fn` throws, which must be an instance of `cls` (fails the test otherwise). */
export async function refusalOf<E>(cls: abstract new (...a: never[]) => E, fn: () => unknown): Promise<E> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(cls);
    return e as E;
  }
  throw new Error('expected a refusal, got a result');
}

export interface RobustSuiteOptions {
  /** fast-check runs per property. */
  runs?: number;
  /** Sweep every k-th seed. */
  sweepEvery?: number;
}

export function robustSuite(names: string[], o: RobustSuiteOptions = {}): void {
  beforeAll(async () => {
    installAllocationGuard();
    await prepare();
  });
  for (const name of names) {
    const t = target(name);
    describe(`${name}: hostile input`, () => {
      // only targets with stored crashers get this test (none stored: nothing to replay)
      const crashers = storedCrashers().filter((c) => c.target === name);
      if (crashers.length > 0) {
        it.each(crashers.map((c): [string, StoredCrasher] => [c.name, c]))('stored crasher %s is refused with a typed error or decodes', async (_n, c) => {
          await expectNoCrash(t, c.bytes);
        });
      }

      it('a sample of the truncation sweep: every cut is refused with a typed error at an offset', async () => {
        const seeds = t.seeds();
        const res = await sweep(t, seeds, {
          keep: t.context ?? 0,
          everySeed: Math.max(1, Math.floor(seeds.length / (o.sweepEvery ?? 6))),
          fullUpTo: 2048,
          edge: 96,
          samples: 48,
        });
        expect(res.failures.map((f) => `seed ${f.seed} cut ${f.cut}: ${f.why.split('\n')[0]}`)).toEqual([]);
        expect(res.prefixes).toBeGreaterThan(0);
      });

      it('mutated seeds (flips, hostile ints, splices, truncations, inserts, deletes) never crash', async () => {
        const seeds = sampleSeeds(t, 24);
        await fc.assert(
          fc.asyncProperty(fc.nat(), fc.array(mutation, { minLength: 1, maxLength: 6 }), async (i, ms) => {
            await expectNoCrash(t, mutate(seeds[i % seeds.length]!, ms, t.context ?? 0));
          }),
          { numRuns: o.runs ?? 300 },
        );
      });

      it('lengths and counts up to 2^32−1 allocate at most linearly in the input', async () => {
        const seeds = sampleSeeds(t, 24);
        const keep = t.context ?? 0;
        await fc.assert(
          fc.asyncProperty(fc.nat(), fc.nat(), fc.constantFrom(...HOSTILE_INT32, 2 ** 31), async (i, pos, value) => {
            const s = seeds[i % seeds.length]!;
            if (s.length < keep + 4) return;
            await expectNoCrash(t, withInt32(s, keep + (pos % (s.length - keep - 3)), value));
          }),
          { numRuns: o.runs ?? 300 },
        );
      });
    });
  }
}
