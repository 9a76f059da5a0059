import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  configMapActivity,
  editConfigMap,
  entryName,
  HaError,
  latestEntry,
  LEADER_ANNOTATION,
  planSetLatest,
  readConfigMapStore,
  type HaEntry,
  type HaStore,
} from '../src/index.js';
import { loadFixture } from './support/fixtures.js';

const fx = loadFixture('2.3.0');

describe('set-latest on a ConfigMap store (Flink 2.3 fixture)', () => {
  const store = readConfigMapStore(fx.configMap!);
  const ids = store.entries.map((e) => e.id!);

  it('makes the oldest entry the latest: newer keys removed, counter kept, everything else unchanged', () => {
    const plan = planSetLatest(store, ids[0]!);
    expect(plan.remove.map((r) => r.entry.id)).toEqual(ids.slice(1));
    expect(plan.counter).toBeUndefined(); // the counter is already past the id
    const edit = editConfigMap(fx.configMap!, plan);
    const after = readConfigMapStore(edit.text);
    expect(after.entries.map((e) => e.id)).toEqual([ids[0]]);
    expect(latestEntry(after)?.id).toBe(ids[0]);
    expect(after.counter).toBe(store.counter);
    const original = JSON.parse(fx.configMap!) as { metadata: unknown; data: Record<string, string> };
    expect(edit.configMap.metadata).toEqual(original.metadata);
    expect((edit.configMap.data as Record<string, string>)[store.entries[0]!.name]).toBe(original.data[store.entries[0]!.name]);
    // the backup holds every removed key as it was, and the whole original ConfigMap
    expect(edit.backup.before.map((b) => b.path)).toEqual(store.entries.slice(1).map((e) => e.name));
    expect(edit.backup.configMap).toEqual(original);
  });

  it('un-marks a marked entry and writes YAML', () => {
    const marked = readConfigMapStore(fx.configMapMarked!);
    const oldest = marked.entries[0]!;
    expect(oldest.markedForDeletion).toBe(true);
    const edit = editConfigMap(fx.configMapMarked!, planSetLatest(marked, oldest.id!), { format: 'yaml' });
    expect(parse(edit.text)).toEqual(edit.configMap);
    const after = readConfigMapStore(edit.text);
    expect(after.entries.map((e) => [e.id, e.markedForDeletion])).toEqual([[oldest.id, false]]);
    expect(latestEntry(after)?.handle).toEqual(oldest.handle);
  });

  it('adds an entry for a checkpoint given by its completedCheckpoint file and raises the counter to id + 1', () => {
    const handle = { file: 'file:/ha/ckpt-ha/completedCheckpoint0123456789ab', size: 4242 };
    const id = store.counter! + 5;
    const plan = planSetLatest(store, id, handle);
    expect(plan.add?.name).toBe(entryName('kubernetes', id));
    expect(plan.counter).toEqual({ before: store.counter, after: id + 1 });
    const after = readConfigMapStore(editConfigMap(fx.configMap!, plan).text);
    expect(latestEntry(after)).toMatchObject({ id, handle });
    expect(after.counter).toBe(id + 1);
    expect(after.entries.length).toBe(store.entries.length + 1);
  });

  it('refuses an id the store does not hold without a file', () => {
    expect(() => planSetLatest(store, 999)).toThrow(HaError);
  });

  it('sees a live leader lease, not an expired one', () => {
    const cm = JSON.parse(fx.configMap!) as { metadata: { annotations?: Record<string, string> } };
    const now = new Date('2026-01-01T00:00:30Z');
    const lease = (renewTime: string): string => {
      cm.metadata.annotations = {
        [LEADER_ANNOTATION]: JSON.stringify({ holderIdentity: 'jm-1', leaseDuration: 15, acquireTime: renewTime, renewTime, leaderTransitions: 0 }),
      };
      return JSON.stringify(cm);
    };
    expect(configMapActivity(lease('2026-01-01T00:00:25Z'), now)).toHaveLength(1);
    expect(configMapActivity(lease('2026-01-01T00:00:05Z'), now)).toEqual([]);
    expect(configMapActivity(fx.configMap!, now)).toEqual([]);
  });
});

describe('set-latest plans (property)', () => {
  const entry = (kind: HaStore['kind'], id: number, markedForDeletion: boolean): HaEntry => ({
    name: entryName(kind, id),
    id,
    source: `s/${id}`,
    markedForDeletion,
    handle: { file: `file:/ha/completedCheckpoint${id.toString(16)}`, size: id },
  });
  it('after applying the plan, Flink\'s rule picks the target; the counter never goes down and is past the target', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<HaStore['kind']>('zookeeper', 'kubernetes'),
        fc.uniqueArray(fc.record({ id: fc.nat({ max: 10_000 }), marked: fc.boolean() }), { selector: (e) => e.id, minLength: 1, maxLength: 8 }),
        fc.option(fc.nat({ max: 20_000 }), { nil: null }),
        fc.nat(),
        (kind, raw, counter, pick) => {
          const entries = raw.map((e) => entry(kind, e.id, e.marked)).sort((a, b) => (a.name < b.name ? -1 : 1));
          const store: HaStore = { kind, jobId: 'j', location: 'l', entries, counter, counterSource: 'c' };
          const target = entries[pick % entries.length]!;
          const plan = planSetLatest(store, target.id!);
          const gone = new Set(plan.remove.map((r) => r.entry));
          const left = entries.filter((e) => !gone.has(e)).map((e) => (e === plan.unmark ? { ...e, markedForDeletion: false } : e));
          expect(latestEntry({ ...store, entries: left })?.id).toBe(target.id);
          const next = plan.counter?.after ?? counter;
          expect(next).toBeGreaterThan(target.id!);
          if (counter !== null) expect(next).toBeGreaterThanOrEqual(counter);
        },
      ),
    );
  });
});
