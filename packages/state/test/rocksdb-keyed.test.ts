import { describe, expect, test } from 'vitest';
import { RocksDbKeyedState, type KeyedStateEntry } from '../src/index.js';
import { loadFixture, operatorByUid, plain, versions, type Fixture } from './support.js';

const SCENARIOS = [
  'keyed-rocksdb-native-savepoint',
  'keyed-rocksdb-full-checkpoint',
  'keyed-rocksdb-incremental-checkpoint',
  'rocksdb-incremental-second-checkpoint',
  'rocksdb-full-checkpoint-of-incremental',
  'keyed-forst-incremental-checkpoint',
];

async function open(f: Fixture, uid: string): Promise<RocksDbKeyedState[]> {
  const op = operatorByUid(f, uid);
  const out: RocksDbKeyedState[] = [];
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (!h) continue;
    if (h.kind !== 'incremental') throw new Error(`expected a native/incremental handle, found ${h.kind}`);
    out.push(await RocksDbKeyedState.open(h, (x) => f.resolver.resolve(x), { maxParallelism: op.maxParallelism }));
  }
  return out;
}

/** Folds entries into the manifest's `keys` shape: key → state → value. */
function byKey(entries: KeyedStateEntry[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const e of entries) {
    if (e.stateKind === 'PRIORITY_QUEUE') continue;
    const row = (out[String(plain(e.key))] ??= {});
    if (e.stateKind === 'MAP') ((row[e.state] ??= {}) as Record<string, unknown>)[String(plain(e.userKey))] = plain(e.value);
    else row[e.state] = plain(e.value);
  }
  return out;
}

async function all(states: RocksDbKeyedState[], span?: { start: number; end: number }): Promise<KeyedStateEntry[]> {
  const out: KeyedStateEntry[] = [];
  for (const s of states) for await (const e of s.entries(span)) out.push(e);
  return out;
}

for (const version of versions()) {
  describe(`RocksDB / ForSt keyed state, fixtures ${version}`, () => {
    for (const scenario of SCENARIOS) {
      const f = loadFixture(version, scenario);
      if (!f) continue;
      test(`${scenario}: every keyed value equals the manifest`, async () => {
        const expected = f.manifest.expected.keyed;
        const states = await open(f, expected.operatorUid);
        expect(states.length).toBeGreaterThan(0);
        const entries = await all(states);
        expect(byKey(entries)).toEqual(expected.keys);
        for (const s of states) {
          const own = s.keyGroupSpan;
          for (const e of entries.filter((x) => states.indexOf(s) === states.findIndex((t) => t.keyGroupSpan.start <= x.keyGroup && x.keyGroup <= t.keyGroupSpan.end))) {
            expect(e.keyGroup).toBeGreaterThanOrEqual(own.start);
            expect(e.keyGroup).toBeLessThanOrEqual(own.end);
          }
        }
      });

      test(`${scenario}: a key-group range reads exactly the entries of those key groups`, async () => {
        const states = await open(f, f.manifest.expected.keyed.operatorUid);
        const everything = await all(states);
        const groups = [...new Set(everything.map((e) => e.keyGroup))].sort((a, b) => a - b);
        expect(groups.length).toBeGreaterThan(1);
        const span = { start: groups[1]!, end: groups[Math.min(groups.length - 1, 3)]! };
        const some = await all(states, span);
        expect(some).toEqual(everything.filter((e) => e.keyGroup >= span.start && e.keyGroup <= span.end));
      });

      test(`${scenario}: arrays of any size hold one key group each and the entries in order; raw pairs come whole per key group`, async () => {
        const states = await open(f, f.manifest.expected.keyed.operatorUid);
        const everything = await all(states);
        for (const chunk of [1, 3, 256]) {
          const arrays: KeyedStateEntry[][] = [];
          for (const s of states) for await (const a of s.keyGroupEntries(undefined, chunk)) arrays.push(a);
          for (const a of arrays) {
            expect(a.length).toBeGreaterThan(0);
            expect(new Set(a.map((e) => e.keyGroup)).size).toBe(1);
          }
          expect(arrays.flat()).toEqual(everything);
          if (chunk === 1) expect(arrays.length).toBeGreaterThan(new Set(everything.map((e) => e.keyGroup)).size);
        }
        let pairs = 0;
        for (const s of states) {
          let last = -1;
          for await (const g of s.rawKeyGroups()) {
            expect(g.keyGroup).toBeGreaterThan(last);
            last = g.keyGroup;
            pairs += g.entries.length;
          }
        }
        expect(pairs).toBe(everything.length);
      });
    }
  });
}
