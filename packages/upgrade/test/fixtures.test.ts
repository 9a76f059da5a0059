import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ByteReader } from '@ckpt/format';
import { loadCheckpointState } from '@ckpt/state/node';
import { readExactly, readKeyedStateHeader, type SerializerSnapshot } from '@ckpt/state';
import { Storages } from '@ckpt/storage';
import { scanSnapshotClasses, upgradeCheck } from '../src/index.js';
import { checkpointDir, factsOf, fixtures, generated } from './support.js';

const minorOf = (v: string) => v.split('.').slice(0, 2).join('.');
const dir = (v: string, s: string) => checkpointDir(join(generated, v, s));

describe('fixtures written by real Flink', () => {
  it.each(fixtures())('%s %s: the writing release is inferred and restores it', async (version, _scenario, d) => {
    const facts = await factsOf(d);
    const own = upgradeCheck(facts, minorOf(version));
    expect(own.writers.releases).toContain(minorOf(version));
    expect(own.blocking).toBe(false);
    expect(own.coverage.unavailableFiles).toBe(0);
    expect(own.coverage.unreadHeaders).toBe(0);
    // 1.20.3 writes operator proxy 6 (1.18+); file merging (codes 15–17) only exists since 1.20
    if (version === '1.20.3') expect(own.writers.releases).toEqual(facts.handleCodes.some((h) => h.code >= 15) ? ['1.20'] : ['1.18', '1.19', '1.20']);
    if (version === '2.0.1') expect(own.writers.releases).toEqual(['2.0']);
    if (version === '2.3.0') expect(own.writers.releases).toEqual(['2.1', '2.2', '2.3']);
  });

  it('2.x snapshots into 1.20: refused with Flink\'s message (what conformance restore printed)', async () => {
    for (const [v, n] of [['2.0.1', 5], ['2.3.0', 6]] as const) {
      const r = upgradeCheck(await factsOf(dir(v, 'keyed-hashmap-savepoint')), '1.20');
      expect(r.verdict).toBe('refuses');
      expect(r.findings.map((f) => f.flinkMessage)).toEqual([`Unrecognized checkpoint version number: ${n}`]);
    }
  });

  it('file-merging handles are refused by 1.19, read by 1.20', async () => {
    const facts = await factsOf(dir('1.20.3', 'file-merging-checkpoint'));
    const r = upgradeCheck(facts, '1.19');
    expect(r.verdict).toBe('refuses');
    expect(r.findings.map((f) => f.flinkMessage).sort()).toEqual(
      expect.arrayContaining(['Reading invalid OperatorStateHandle, type: 17', 'Unknown implementation of StreamStateHandle, code: 15']),
    );
  });

  it('operator proxy 6 (1.18+) fails on 1.17 for every operator with operator state', async () => {
    const r = upgradeCheck(await factsOf(dir('1.20.3', 'operator-state-savepoint')), '1.17');
    expect(r.verdict).toBe('fails-while-restoring');
    const f = r.findings.filter((x) => x.rule === 'operator-proxy-version');
    expect(f.length).toBeGreaterThan(0);
    expect(f[0]!.flinkMessage).toBe('Incompatible version: found 6, compatible versions are [5, 4, 3, 2, 1]');
  });

  it('TTL states, unaligned channel state and native RocksDB state give warnings naming them', async () => {
    const ttl = upgradeCheck(await factsOf(dir('1.20.3', 'ttl-state-savepoint')), '2.0');
    expect(ttl.verdict).toBe('warnings');
    expect(ttl.findings.filter((f) => f.rule === 'ttl-toggle').map((f) => f.state).sort()).toEqual(['byValue', 'max', 'sum', 'values']);
    expect(upgradeCheck(await factsOf(dir('1.20.3', 'ttl-state-savepoint')), '2.2').verdict).toBe('ok');
    const ua = upgradeCheck(await factsOf(dir('1.20.3', 'unaligned-checkpoint')), '2.3');
    expect(ua.findings.map((f) => f.rule)).toContain('unaligned-checkpoint');
    expect(upgradeCheck(await factsOf(dir('2.0.1', 'unaligned-checkpoint')), '2.0').findings.map((f) => f.rule)).not.toContain('unaligned-checkpoint');
    const native = upgradeCheck(await factsOf(dir('1.20.3', 'keyed-rocksdb-native-savepoint')), '2.3');
    expect(native.findings.map((f) => [f.rule, f.operator?.operatorId])).toEqual([['native-rocksdb', 'e7beec23fd9f6ed5e1b8395129d43728']]);
  });

  it('the header scan finds the snapshot classes the parser reads', async () => {
    const storages = new Storages();
    try {
      const { metadata, resolver } = await loadCheckpointState(dir('2.3.0', 'ttl-state-savepoint'), { storages });
      const op = metadata.operators.find((o) => o.subtasks.some((s) => s.managedKeyedState?.kind === 'savepointKeyGroups'))!;
      const h = op.subtasks.map((s) => s.managedKeyedState).find((k) => k?.kind === 'savepointKeyGroups')!;
      if (h.kind !== 'savepointKeyGroups') throw new Error('fixture changed');
      const src = resolver.resolve(h.delegate);
      const bytes = await readExactly(src, 0, Math.min(...h.offsets.map(Number).filter((o) => o > 0)));
      const header = readKeyedStateHeader(new ByteReader(bytes));
      const parsed = new Set<string>();
      const walk = (s: SerializerSnapshot) => (parsed.add(s.className), s.nested.forEach(walk));
      walk(header.keySerializer);
      for (const st of header.states) for (const [, s] of st.serializers) walk(s);
      expect(parsed.size).toBeGreaterThan(3);
      expect(new Set(scanSnapshotClasses(bytes).map((c) => c.className))).toEqual(parsed);
    } finally {
      await storages.close();
    }
  });
});
