import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readConfigMapStore,
  readKubernetesHandle,
  readZooKeeperHandle,
  writeKubernetesHandle,
  writeZooKeeperHandle,
} from '../src/index.js';
import { checkpointNodes, loadFixture, VERSIONS } from './support/fixtures.js';

describe.each(VERSIONS)('Flink %s: handles written as Flink writes them', (version) => {
  const fx = loadFixture(version);

  it('ZooKeeper znode data: byte for byte what Flink wrote', () => {
    const nodes = checkpointNodes(fx);
    expect(nodes.length).toBeGreaterThan(0);
    for (const n of nodes) {
      const h = readZooKeeperHandle(n.data, n.path);
      expect(Buffer.from(writeZooKeeperHandle(h)).toString('hex')).toBe(Buffer.from(n.data).toString('hex'));
    }
  });

});

// flink-kubernetes is served for the 2.3 line only, so only its fixtures have ConfigMaps
const WITH_CONFIG_MAPS = VERSIONS.filter((v) => loadFixture(v).configMap !== undefined);

describe.each(WITH_CONFIG_MAPS)('Flink %s: ConfigMap values written as flink-kubernetes writes them', (version) => {
  const fx = loadFixture(version);

  it('byte for byte, marked or not', () => {
    for (const text of [fx.configMap!, fx.configMapMarked!]) {
      const data = (JSON.parse(text) as { data: Record<string, string> }).data;
      const keys = Object.keys(data).filter((k) => k.startsWith('checkpointID-'));
      expect(keys.length).toBeGreaterThan(0);
      for (const k of keys) expect(writeKubernetesHandle(readKubernetesHandle(data[k]!, k))).toBe(data[k]);
      expect(readConfigMapStore(text).entries.length).toBe(keys.length);
    }
  });
});

it('the 2.3 fixtures have ConfigMaps', () => {
  expect(WITH_CONFIG_MAPS.length).toBeGreaterThan(0);
});

describe('handle round trip (property)', () => {
  const handle = fc.record({
    file: fc.string({ minLength: 1, maxLength: 300, unit: 'binary' }),
    size: fc.nat({ max: Number.MAX_SAFE_INTEGER }),
  });
  it('ZooKeeper: read(write(h)) = h', () => {
    fc.assert(
      fc.property(handle, (h) => {
        expect(readZooKeeperHandle(writeZooKeeperHandle(h), 'z')).toEqual(h);
      }),
    );
  });
  it('Kubernetes: read(write(h)) = h', () => {
    fc.assert(
      fc.property(handle, fc.boolean(), (h, markedForDeletion) => {
        expect(readKubernetesHandle(writeKubernetesHandle({ ...h, markedForDeletion }), 'k')).toEqual({ ...h, markedForDeletion });
      }),
    );
  });
});
