import { describe, expect, test } from 'vitest';
import type { KeyedStateHandle } from '@ckpt/format';
import { CountingSource, KeyedStateFile, OperatorStateFile, readNativeSnapshot, type KeyedStateEntry } from '../src/index.js';
import { loadFixture, operatorByUid, plain, versions, type Fixture } from './support.js';

const KEYED_SCENARIOS = [
  'keyed-hashmap-savepoint',
  'keyed-hashmap-checkpoint',
  'keyed-rocksdb-canonical-savepoint',
  'inline-state-savepoint',
  'ttl-state-savepoint',
  'keyed-p1-maxp-1-savepoint',
  'stop-with-savepoint',
  'file-merging-checkpoint',
  'finished-operators-checkpoint',
];

async function keyedEntries(f: Fixture, uid: string): Promise<KeyedStateEntry[]> {
  const op = operatorByUid(f, uid);
  const out: KeyedStateEntry[] = [];
  for (const s of op.subtasks) {
    const h = s.managedKeyedState as (KeyedStateHandle & { delegate: never }) | null;
    if (!h) continue;
    const kf = await KeyedStateFile.open(h, f.resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
    for await (const e of kf.entries()) out.push(e);
  }
  return out;
}

/** Folds entries into the manifest's `keys` shape: key → state → value. */
function byKey(entries: KeyedStateEntry[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const e of entries) {
    if (e.stateKind === 'PRIORITY_QUEUE') continue;
    const k = String(plain(e.key));
    const row = (out[k] ??= {});
    if (e.stateKind === 'MAP') {
      const m = (row[e.state] ??= {}) as Record<string, unknown>;
      m[String(plain(e.userKey))] = plain(e.value);
    } else row[e.state] = plain(e.value);
  }
  return out;
}

for (const version of versions()) {
  describe(`fixtures ${version}`, () => {
    for (const scenario of KEYED_SCENARIOS) {
      const f = loadFixture(version, scenario);
      test.skipIf(!f)(`${scenario}: every keyed value equals the manifest`, async () => {
        const expected = f!.manifest.expected.keyed;
        const entries = await keyedEntries(f!, expected.operatorUid);
        expect(byKey(entries)).toEqual(expected.keys);
        if (expected.ttl) {
          const values = entries.filter((e) => e.stateKind !== 'PRIORITY_QUEUE');
          expect(values.every((e) => (e.stateKind === 'LIST' ? (e.value as { kind: string }[]).every((x) => x.kind === 'ttl') : (e.value as { kind: string }).kind === 'ttl'))).toBe(true);
        }
      });
    }

    const topo = loadFixture(version, 'topology-savepoint');
    test.skipIf(!topo)('topology-savepoint: Long keys (max parallelism 256, 2-byte prefix) and operator lists', async () => {
      const exp = topo!.manifest.expected;
      expect(byKey(await keyedEntries(topo!, exp.keyed.operatorUid))).toEqual(
        Object.fromEntries(Object.entries(exp.keyed.keys).map(([k, v]) => [k, v])),
      );
      const { split, union } = await operatorLists(topo!, exp.operatorState.operatorUid);
      expect(split.sort((a, b) => a - b)).toEqual(exp.operatorState['split-list']);
      expect(union.sort((a, b) => a - b)).toEqual(exp.operatorState['union-list']);
    });

    const ops = loadFixture(version, 'operator-state-savepoint');
    test.skipIf(!ops)('operator-state-savepoint: split, union and broadcast state', async () => {
      const exp = ops!.manifest.expected;
      const { split, union } = await operatorLists(ops!, exp.operatorState.operatorUid);
      expect(split.sort((a, b) => a - b)).toEqual(exp.operatorState['split-list']);
      expect(union.sort((a, b) => a - b)).toEqual(exp.operatorState['union-list']);
      const bc = operatorByUid(ops!, exp.broadcastState.operatorUid);
      let subtasks = 0;
      for (const s of bc.subtasks) {
        const h = s.managedOperatorState;
        if (!h) continue;
        subtasks++;
        const file = await OperatorStateFile.open(h, ops!.resolver.resolve(h.delegate));
        const entries: Record<string, unknown> = {};
        for await (const e of file.entries(exp.broadcastState.name)) {
          if (e.kind !== 'broadcast') throw new Error(`unexpected ${e.kind}`);
          entries[e.key as string] = plain(e.value);
        }
        expect(entries).toEqual(exp.broadcastState.entries);
      }
      expect(subtasks).toBe(exp.broadcastState.parallelism);
    });

    const inc = loadFixture(version, 'keyed-rocksdb-incremental-checkpoint');
    test.skipIf(!inc)('keyed-rocksdb-incremental-checkpoint: files and meta data listed; KeyedStateFile refuses it', async () => {
      const op = operatorByUid(inc!, 'keyed');
      for (const s of op.subtasks) {
        const h = s.managedKeyedState!;
        expect(h.kind).toBe('incremental');
        if (h.kind !== 'incremental') continue;
        const snap = await readNativeSnapshot(h, inc!.resolver);
        expect(snap.meta.states.map((m) => m.name).sort()).toEqual(expect.arrayContaining(['byValue', 'max', 'sum', 'values']));
        expect(snap.files.some((x) => x.kind === 'sst' && x.shared)).toBe(true);
        expect(snap.files.some((x) => x.kind === 'manifest')).toBe(true);
        await expect(KeyedStateFile.open(h, inc!.resolver.resolve(h.metaStateHandle), { maxParallelism: 128 })).rejects.toMatchObject({
          code: 'UnsupportedHandle',
        });
      }
    });

    const sp = loadFixture(version, 'keyed-hashmap-savepoint');
    test.skipIf(!sp)('reading one key group reads only the header and that key group', async () => {
      const op = operatorByUid(sp!, 'keyed');
      const h = op.subtasks[0]!.managedKeyedState!;
      if (h.kind !== 'savepointKeyGroups') throw new Error(h.kind);
      const src = new CountingSource(sp!.resolver.resolve(h.delegate));
      const kf = await KeyedStateFile.open(h, src, { maxParallelism: op.maxParallelism });
      const groups = kf.keyGroups();
      expect(groups.length).toBeGreaterThan(1);
      const kg = groups[1]!;
      const before = src.bytesRead;
      const got: KeyedStateEntry[] = [];
      for await (const e of kf.entries([kg])) got.push(e);
      expect(got.length).toBeGreaterThan(0);
      expect(got.every((e) => e.keyGroup === kg)).toBe(true);
      const size = await src.size();
      expect(before).toBe(kf.header.length);
      expect(src.bytesRead - before).toBeLessThan(size - kf.header.length);
      expect(src.reads).toBe(2);
    });
  });
}

async function operatorLists(f: Fixture, uid: string): Promise<{ split: number[]; union: number[] }> {
  const op = operatorByUid(f, uid);
  const split: number[] = [];
  const union: number[] = [];
  for (const s of op.subtasks) {
    const h = s.managedOperatorState;
    if (!h) continue;
    const file = await OperatorStateFile.open(h, f.resolver.resolve(h.delegate));
    for await (const e of file.entries()) {
      if (e.kind !== 'element') continue;
      (e.state === 'split-list' ? split : union).push(Number(plain(e.value)));
    }
  }
  return { split, union };
}
