import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeMetadata, encodeMetadata } from '@ckpt/format';
import { run, type Io } from '../src/index.js';
import { relocatedFixture } from './support/relocated.js';

// Proof with real Flink: savepoints re-keyed by `ckpt rekey` for another max parallelism restore in
// a MiniCluster built with that max parallelism (conformance restore --max-parallelism), with the
// values of the scenario manifest. Flink itself refuses the original savepoint there.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const LINES: [line: string, version: string][] = [['2.3', '2.3.0'], ['2.0', '2.0.1'], ['1.20', '1.20.3']];
// built with the restore check's --max-parallelism option (MaxParallelism.class)
const built = (line: string) =>
  existsSync(join(root, `conformance/target/flink-${line}/classpath.txt`)) &&
  existsSync(join(root, `conformance/target/flink-${line}/classes/dev/ckpt/conformance/MaxParallelism.class`));
// the checkpoint conversions restore ~20 directories per line (3–5 minutes): by default 2.3 with the
// full and incremental checkpoints; every line and also the second-incremental and ForSt ones with CKPT_REKEY_ALL=1
const allLines = process.env.CKPT_REKEY_ALL === '1';
if (!built('2.3')) console.log('conformance build missing or older than restore --max-parallelism (run pnpm conformance): real-Flink rekey proofs skipped');

const quiet: Io = { out: () => {}, err: () => {} };
const fixture = (version: string, scenario: string) => join(root, 'fixtures/generated', version, scenario);

interface Verdict {
  scenario: string;
  ok: boolean;
  newMaxParallelism?: number;
  checks: { name: string; ok: boolean; keys?: number }[];
  error?: { message: string; chain: string };
}

/** One JVM restores every directory at parallelism `p` with max parallelism `maxP`. */
function flinkRestore(line: string, p: number, maxP: number, dirs: string[]): Verdict[] {
  const r = spawnSync(join(root, 'conformance/run.sh'), [line, 'restore', '--jsonl', String(p), '--max-parallelism', String(maxP), ...dirs], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Verdict);
}

async function rekeyed(version: string, scenario: string, maxP: number, extra: string[] = [], from?: string): Promise<string> {
  const src = from ?? fixture(version, scenario);
  const out = join(mkdtempSync(join(tmpdir(), 'ckpt-rekey-')), `${scenario}-mp${maxP}`);
  expect(await run(['rekey', src, '--max-parallelism', String(maxP), '--out', out, ...extra], quiet)).toBe(0);
  copyFileSync(join(fixture(version, scenario), 'manifest.json'), join(out, 'manifest.json'));
  return out;
}

/** The fixture with absolute paths (ckpt modify writes absolute handles to the original files). */
async function absolute(version: string, scenario: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'ckpt-abs-')), scenario);
  expect(await run(['modify', fixture(version, scenario), out, '--set-name', 'keyed=keyed-state'], quiet)).toBe(0);
  return out;
}

/** Control: only `_metadata`'s max parallelism changed, entries left in their old key groups (`src`: the fixture, or a relocated copy). */
function naive(version: string, scenario: string, maxP: number, src = fixture(version, scenario)): string {
  const out = join(mkdtempSync(join(tmpdir(), 'ckpt-naive-')), scenario);
  cpSync(src, out, { recursive: true });
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(out, '_metadata'))));
  for (const op of meta.operators) op.maxParallelism = maxP;
  delete meta.input;
  writeFileSync(join(out, '_metadata'), encodeMetadata(meta));
  return out;
}

function expectRestored(v: Verdict, maxP: number): void {
  expect(v.error?.chain, v.scenario).toBeUndefined();
  expect(v.newMaxParallelism).toBe(maxP);
  expect(v.checks.length).toBeGreaterThan(0);
  expect(v.checks.every((c) => c.ok)).toBe(true);
  expect(v.ok).toBe(true);
}

/** Retained checkpoints of the keyed job: RocksDB full, incremental, incremental over two checkpoints; ForSt; HashMap (heap format). */
const CHECKPOINTS = ['keyed-rocksdb-full-checkpoint', 'keyed-rocksdb-incremental-checkpoint', 'rocksdb-incremental-second-checkpoint', 'keyed-forst-incremental-checkpoint', 'keyed-hashmap-checkpoint'];

/** Writes the fixture's manifest into `dir` for the restore check: `_metadata` at the top, the job of `scenario`. */
function withManifest(dir: string, version: string, fixtureScenario: string, scenario: string, expected?: (e: Record<string, unknown>) => void): string {
  const mf = JSON.parse(readFileSync(join(fixture(version, fixtureScenario), 'manifest.json'), 'utf8'));
  if (expected) expected(mf.expected);
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...mf, scenario, metadataPath: '_metadata' }));
  return dir;
}

/**
 * A retained checkpoint fixture (its absolute paths pointed here by `ckpt relocate --prefix`)
 * turned into a canonical savepoint at max parallelism `maxP` by `ckpt rekey`, with the
 * manifest of the keyed job on the HashMap backend or on RocksDB (the restore check's job and
 * backend come from the manifest's scenario; the expected values are the fixture's).
 */
async function convertedCheckpoint(version: string, scenario: string, maxP: number, backend: 'hashmap' | 'rocksdb', from: string, extra: string[] = []): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'ckpt-rekey-chk-')), `${scenario}-mp${maxP}-${backend}`);
  expect(await run(['rekey', from, '--max-parallelism', String(maxP), '--out', out, ...extra], quiet)).toBe(0);
  const as = backend === 'hashmap' ? 'keyed-hashmap-savepoint' : scenario.includes('rocksdb') ? scenario : 'keyed-rocksdb-canonical-savepoint';
  return withManifest(out, version, scenario, as);
}

/** Control: the relocated checkpoint with only `_metadata`'s max parallelism changed (native state left as is). */
function naiveCheckpoint(version: string, scenario: string, relocated: string, maxP: number): string {
  return withManifest(naive(version, scenario, maxP, relocated), version, scenario, scenario);
}

describe.skipIf(!built('2.3'))('real Flink restores savepoints re-keyed by ckpt', () => {
  it('Flink 2.3: heap, RocksDB and TTL canonical savepoints re-keyed 128 → 256, at parallelism 3 (controls refused)', async () => {
    const dirs = [
      await rekeyed('2.3.0', 'keyed-hashmap-savepoint', 256),
      await rekeyed('2.3.0', 'keyed-rocksdb-canonical-savepoint', 256),
      await rekeyed('2.3.0', 'ttl-state-savepoint', 256),
      fixture('2.3.0', 'keyed-hashmap-savepoint'),
      naive('2.3.0', 'keyed-rocksdb-canonical-savepoint', 256),
    ];
    const v = flinkRestore('2.3', 3, 256, dirs);
    expect(v).toHaveLength(5);
    v.slice(0, 3).forEach((x) => expectRestored(x, 256));
    expect(v[0]!.checks[0]).toMatchObject({ name: 'keyed', keys: 10 });
    // the original: Flink's own max-parallelism check refuses it
    expect(v[3]!.ok).toBe(false);
    expect(v[3]!.error?.chain).toMatch(/Max parallelism mismatch/);
    // the max parallelism alone changed: the restore does not give the expected values
    expect(v[4]!.ok).toBe(false);
  }, 600_000);

  it('Flink 2.3: re-keyed 128 → 64 (heap with a new parallelism, compressed RocksDB, absolute paths) and the topology savepoint 256 → 64, at parallelism 4', async () => {
    const dirs = [
      await rekeyed('2.3.0', 'keyed-hashmap-savepoint', 64, ['--parallelism', '5']),
      await rekeyed('2.3.0', 'keyed-rocksdb-canonical-savepoint', 64, ['--compress']),
      await rekeyed('2.3.0', 'topology-savepoint', 64),
      await rekeyed('2.3.0', 'keyed-hashmap-savepoint', 64, [], await absolute('2.3.0', 'keyed-hashmap-savepoint')),
    ];
    const v = flinkRestore('2.3', 4, 64, dirs);
    expect(v).toHaveLength(4);
    v.forEach((x) => expectRestored(x, 64));
    expect(v[2]!.checks.map((c) => c.name).sort()).toEqual(['keyed-8', 'wide']);
  }, 600_000);

  it('Flink 2.3: changelog checkpoints (a state-change log alone, a materialized part) replayed and turned canonical restore into RocksDB and HashMap at max parallelism 256 (control fails)', async () => {
    const log = await relocatedFixture(fixture('2.3.0', 'changelog-checkpoint'));
    const materialized = await relocatedFixture(fixture('2.3.0', 'changelog-materialized-checkpoint'));
    const dirs = [
      await convertedCheckpoint('2.3.0', 'changelog-checkpoint', 256, 'rocksdb', log, ['--key-type', 'String']),
      await convertedCheckpoint('2.3.0', 'changelog-checkpoint', 256, 'hashmap', log, ['--key-type', 'String']),
      await convertedCheckpoint('2.3.0', 'changelog-materialized-checkpoint', 256, 'rocksdb', materialized),
      await convertedCheckpoint('2.3.0', 'changelog-materialized-checkpoint', 256, 'hashmap', materialized),
    ];
    // control: the same conversion checked against a changed expected value
    const control = await convertedCheckpoint('2.3.0', 'changelog-checkpoint', 256, 'hashmap', log, ['--key-type', 'String']);
    withManifest(control, '2.3.0', 'changelog-checkpoint', 'keyed-hashmap-savepoint', (e) => {
      const keys = (e.keyed as { keys: Record<string, Record<string, unknown>> }).keys;
      keys.k3 = { ...keys.k3, max: -1 };
    });
    const v = flinkRestore('2.3', 3, 256, [...dirs, control]);
    expect(v).toHaveLength(5);
    v.slice(0, 4).forEach((x) => expectRestored(x, 256));
    v.slice(0, 4).forEach((x) => expect(x.checks.find((c) => c.name === 'keyed')).toMatchObject({ ok: true, keys: 10 }));
    expect(v[4]!.ok).toBe(false);
    expect(v[4]!.checks.find((c) => c.name === 'keyed')?.ok).toBe(false);
  }, 600_000);

  for (const [line, version] of LINES.slice(1)) {
    it.skipIf(!built(line))(`Flink ${version}: heap and RocksDB canonical savepoints re-keyed 128 → 256`, async () => {
      const dirs = [await rekeyed(version, 'keyed-hashmap-savepoint', 256), await rekeyed(version, 'keyed-rocksdb-canonical-savepoint', 256)];
      const v = flinkRestore(line, 3, 256, dirs);
      expect(v).toHaveLength(2);
      v.forEach((x) => expectRestored(x, 256));
    }, 600_000);
  }

  for (const [line, version] of LINES) {
    it.skipIf(!built(line) || (line !== '2.3' && !allLines))(`Flink ${version}: retained checkpoints (RocksDB full and incremental; with CKPT_REKEY_ALL also second-incremental, ForSt, HashMap) turned canonical restore into RocksDB and HashMap, at max parallelism 256 and 128 (controls fail)`, async () => {
      const scenarios = CHECKPOINTS.slice(0, allLines ? CHECKPOINTS.length : 2).filter((s) => existsSync(join(fixture(version, s), 'manifest.json')));
      expect(scenarios.length).toBeGreaterThanOrEqual(2);
      const relocated = new Map<string, string>();
      for (const s of scenarios) relocated.set(s, await relocatedFixture(fixture(version, s)));
      const both = async (maxP: number) => {
        const dirs: string[] = [];
        for (const s of scenarios) for (const b of ['rocksdb', 'hashmap'] as const) dirs.push(await convertedCheckpoint(version, s, maxP, b, relocated.get(s)!));
        return dirs;
      };
      const incremental = relocated.get('keyed-rocksdb-incremental-checkpoint')!;
      // a new max parallelism: only ckpt's conversion can get there
      const at256 = [...(await both(256)), naiveCheckpoint(version, 'keyed-rocksdb-incremental-checkpoint', incremental, 256)];
      const v = flinkRestore(line, 3, 256, at256);
      expect(v).toHaveLength(at256.length);
      v.slice(0, -1).forEach((x) => expectRestored(x, 256));
      v.slice(0, -1).forEach((x) => expect(x.checks.find((c) => c.name === 'keyed')).toMatchObject({ ok: true, keys: 10 }));
      expect(v.at(-1)!.ok).toBe(false);
      // the old max parallelism (a plain conversion); controls: one expected value changed, and
      // the relocated checkpoint itself (Flink's own restore of the native state) restoring fine
      const at128 = [
        ...(await both(128)),
        withManifest(await rekeyed(version, 'keyed-rocksdb-incremental-checkpoint', 128, [], incremental), version, 'keyed-rocksdb-incremental-checkpoint', 'keyed-rocksdb-incremental-checkpoint', (e) => {
          const keys = (e.keyed as { keys: Record<string, Record<string, unknown>> }).keys;
          const first = Object.keys(keys).sort()[0]!;
          keys[first] = { ...keys[first], sum: 1_000_000 };
        }),
        withManifest(incremental, version, 'keyed-rocksdb-incremental-checkpoint', 'keyed-rocksdb-incremental-checkpoint'),
      ];
      const w = flinkRestore(line, 3, 128, at128);
      expect(w).toHaveLength(at128.length);
      w.slice(0, -2).forEach((x) => expectRestored(x, 128));
      expect(w.at(-2)!.ok).toBe(false);
      expect(w.at(-2)!.checks.find((c) => c.name === 'keyed')?.ok).toBe(false);
      expectRestored(w.at(-1)!, 128);
    }, 900_000);

    it.skipIf(!built(line))(`Flink ${version}: a RocksDB native savepoint turned canonical restores into RocksDB and HashMap, re-keyed 128 → 256 and unchanged (control refused)`, async () => {
      const asHeap = (dir: string) => {
        // the same job on the HashMap backend: the generator's keyed-hashmap-savepoint scenario
        const mf = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
        writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...mf, scenario: 'keyed-hashmap-savepoint', backend: 'hashmap' }));
        return dir;
      };
      const dirs = [
        await rekeyed(version, 'keyed-rocksdb-native-savepoint', 256),
        asHeap(await rekeyed(version, 'keyed-rocksdb-native-savepoint', 256)),
        naive(version, 'keyed-rocksdb-native-savepoint', 256),
      ];
      const v = flinkRestore(line, 3, 256, dirs);
      expect(v).toHaveLength(3);
      v.slice(0, 2).forEach((x) => expectRestored(x, 256));
      expect(v[0]!.checks[0]).toMatchObject({ name: 'keyed', keys: 10 });
      // only _metadata's max parallelism changed: Flink cannot restore the native state that way
      expect(v[2]!.ok).toBe(false);
      const same = [asHeap(await rekeyed(version, 'keyed-rocksdb-native-savepoint', 128))];
      const w = flinkRestore(line, 3, 128, same);
      expect(w).toHaveLength(1);
      expectRestored(w[0]!, 128);
    }, 600_000);
  }
});
