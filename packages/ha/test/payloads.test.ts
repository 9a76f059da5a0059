import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import {
  latestEntry,
  parseCheckpointName,
  readCompletedCheckpoint,
  readConfigMapStore,
  readZooKeeperCounter,
  readZooKeeperHandle,
  recoverableEntries,
  zooKeeperLayouts,
  zooKeeperNamespace,
} from '../src/index.js';
import { checkpointNodes, loadFixture, VERSIONS } from './support/fixtures.js';

const baseName = (uri: string): string => uri.slice(uri.lastIndexOf('/') + 1);

describe.each(VERSIONS)('Flink %s payloads', (version) => {
  const fx = loadFixture(version);
  const flink = fx.report.flink;
  const ns = zooKeeperNamespace(fx.report.root, fx.report.clusterId);
  const layout = zooKeeperLayouts(ns, fx.report.jobId)[0]!;

  it('has the checkpoints Flink reported, in the ≥1.14 layout', () => {
    const nodes = checkpointNodes(fx);
    expect(nodes.every((n) => n.path.startsWith(`${layout.checkpoints}/`))).toBe(true);
    expect(nodes.map((n) => parseCheckpointName(n.name))).toEqual(flink.checkpoints.map((c) => c.id));
  });

  it('znode data points to the completedCheckpoint file with its size', () => {
    for (const n of checkpointNodes(fx)) {
      const h = readZooKeeperHandle(n.data, n.path);
      const bytes = fx.haFiles.get(baseName(h.file));
      expect(bytes, h.file).toBeDefined();
      expect(h.size).toBe(bytes!.length);
      expect(h.file).toMatch(new RegExp(`/${fx.report.clusterId}/completedCheckpoint[0-9a-f]{12}$`));
    }
  });

  it('the stored CompletedCheckpoint says what Flink said (id, job, timestamp, external pointer)', () => {
    for (const n of checkpointNodes(fx)) {
      const h = readZooKeeperHandle(n.data, n.path);
      const cp = readCompletedCheckpoint(fx.haFiles.get(baseName(h.file))!, h.file);
      const expected = flink.checkpoints.find((c) => c.id === parseCheckpointName(n.name))!;
      expect(cp.checkpointId).toBe(expected.id);
      expect(cp.jobId).toBe(fx.report.jobId);
      expect(cp.timestamp).toBe(expected.timestamp);
      expect(cp.completionTimestamp).toBeGreaterThanOrEqual(cp.timestamp);
      expect(cp.externalPointer).toBe(expected.externalPointer);
      expect(cp.metadataFile).toBe(`${expected.externalPointer}/_metadata`);
      expect(cp.exclusiveDir).toBe(expected.externalPointer);
      expect(cp.properties?.snapshotType.kind).toBe(expected.savepoint ? 'savepoint' : 'checkpoint');
      expect(cp.properties?.discardSubsumed).toBe(true);
      expect(cp.properties?.discardCancelled).toBe(false); // RETAIN_ON_CANCELLATION
      expect(cp.operatorCount).toBeGreaterThan(0);
      expect(cp.files).toContain(cp.metadataFile);
      // state files live in the checkpoint's own directory, or (incremental RocksDB) in the job's shared/
      const jobDir = expected.externalPointer.slice(0, expected.externalPointer.lastIndexOf('/'));
      const stateFiles = cp.files.filter((f) => f !== cp.metadataFile);
      expect(stateFiles.length).toBeGreaterThan(0);
      expect(stateFiles.every((f) => f.startsWith(`${expected.externalPointer}/`) || f.startsWith(`${jobDir}/shared/`))).toBe(true);
    }
  });

  it('counter znode holds the next checkpoint id Flink reported', () => {
    const node = fx.nodes.find((n) => n.path === layout.counter)!;
    expect(readZooKeeperCounter(node.data, node.path)).toBe(flink.counter);
  });

  it('the latest entry by name is the checkpoint Flink restored after the JobManager failover', () => {
    const names = checkpointNodes(fx).map((n) => n.name).sort();
    expect(parseCheckpointName(names.at(-1)!)).toBe(fx.report.restored.restoredCheckpointId);
    expect(flink.latest).toBe(fx.report.restored.restoredCheckpointId);
  });
});

const withConfigMap = VERSIONS.filter((v) => loadFixture(v).configMap !== undefined);

describe.each(withConfigMap)('Flink %s Kubernetes ConfigMap', (version) => {
  const fx = loadFixture(version);
  const flink = fx.report.flink;

  it('lists the same checkpoints, handles and counter as ZooKeeper', () => {
    const store = readConfigMapStore(fx.configMap!, { file: 'configmap.json' });
    expect(store.kind).toBe('kubernetes');
    expect(store.jobId).toBe(fx.report.jobId);
    expect(store.location).toBe(`${fx.report.clusterId}-${fx.report.jobId}-config-map`);
    expect(store.entries.map((e) => e.id)).toEqual(flink.checkpoints.map((c) => c.id));
    expect(store.entries.every((e) => /^checkpointID-\d{19}$/.test(e.name) && !e.markedForDeletion)).toBe(true);
    expect(store.counter).toBe(flink.counter);
    const zkHandles = checkpointNodes(fx).map((n) => readZooKeeperHandle(n.data, n.path));
    expect(store.entries.map((e) => e.handle)).toEqual(zkHandles);
    expect(latestEntry(store)?.id).toBe(fx.report.restored.restoredCheckpointId);
  });

  it('reads the YAML export and a List of ConfigMaps the same way', () => {
    const json = JSON.parse(fx.configMap!) as object;
    const fromYaml = readConfigMapStore(stringify(json));
    expect(fromYaml).toEqual(readConfigMapStore(fx.configMap!));
    const other = { kind: 'ConfigMap', metadata: { name: `${fx.report.clusterId}-cluster-config-map` }, data: { address: 'x' } };
    const list = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [other, json] });
    expect(readConfigMapStore(list, { jobId: fx.report.jobId, clusterId: fx.report.clusterId })).toEqual(fromYaml);
  });

  it('leaves out entries marked for deletion', () => {
    const store = readConfigMapStore(fx.configMapMarked!);
    expect(store.entries[0]!.markedForDeletion).toBe(true);
    expect(store.entries.slice(1).every((e) => !e.markedForDeletion)).toBe(true);
    expect(recoverableEntries(store).map((e) => e.id)).toEqual(flink.checkpoints.slice(1).map((c) => c.id));
    expect(latestEntry(store)?.id).toBe(fx.report.restored.restoredCheckpointId);
  });
});

describe('ZooKeeper paths', () => {
  it('joins root and cluster id like ZooKeeperUtils.generateZookeeperPath', () => {
    expect(zooKeeperNamespace()).toBe('/flink/default');
    expect(zooKeeperNamespace('/flink/', '//my-cluster/')).toBe('/flink/my-cluster');
    expect(zooKeeperNamespace('', 'c')).toBe('/c');
  });
  it('knows the ≥1.14 layout first and the older one second', () => {
    expect(zooKeeperLayouts('/flink/c', 'j')).toEqual([
      { checkpoints: '/flink/c/jobs/j/checkpoints', counter: '/flink/c/jobs/j/checkpoint_id_counter' },
      { checkpoints: '/flink/c/checkpoints/j', counter: '/flink/c/checkpoint-counter/j' },
    ]);
  });
});

describe('entry names and counters', () => {
  it('parses ids as Long.parseLong does', () => {
    expect(parseCheckpointName('0000000000000000042')).toBe(42);
    expect(parseCheckpointName('+7')).toBe(7);
    expect(parseCheckpointName('x1')).toBeNull();
    expect(parseCheckpointName('99999999999999999999')).toBeNull();
  });
  it('Flink sorts by name, so a non-padded name sorts by text', () => {
    const mk = (name: string) => ({ name, id: parseCheckpointName(name), source: name, markedForDeletion: false, handle: { file: 'f', size: 1 } });
    const store = { kind: 'zookeeper' as const, jobId: '', location: '', counter: null, counterSource: '', entries: [mk('0000000000000000009'), mk('0000000000000000010')] };
    expect(latestEntry(store)?.id).toBe(10);
  });
});
