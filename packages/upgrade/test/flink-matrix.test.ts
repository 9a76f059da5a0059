import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upgradeCheck, type Backend, type UpgradeCheckOptions, type UpgradeReport } from '../src/index.js';
import { checkpointDir, factsOf, generated, root } from './support.js';

/**
 * Proof by real Flink: snapshots written by one Flink line are restored by another in a
 * MiniCluster (`conformance/run.sh <line> restore`), and what happened must be what
 * `upgradeCheck` predicted. CI restores into 2.3 (and the rollback into 1.20);
 * CKPT_UPGRADE_MATRIX=all adds 2.0. The TTL rows restore with a job that switches TTL off (TTL
 * fixture) or on (the others), on the scenario's backend or the one named, into 2.3 and 2.0 (CI).
 * The table goes to conformance/target/upgrade-matrix.md.
 */
type Outcome = 'restored' | 'missing-state' | 'refused' | 'failed-while-restoring';

const UPGRADES = [
  'keyed-hashmap-savepoint',
  'ttl-state-savepoint',
  'operator-state-savepoint',
  'keyed-rocksdb-native-savepoint',
  'unaligned-checkpoint',
  'kryo-value-savepoint',
  'kryo-value-rocksdb-native-savepoint',
  'kryo-operator-state-savepoint',
  'kryo-state-savepoint',
  'kryo-rocksdb-native-savepoint',
  'scala-option-savepoint',
];
/** A snapshot to restore; `ttl`: the restoring job turns TTL on/off (on `backend`, default the scenario's). */
interface Case {
  dir: string;
  ttl?: 'on' | 'off';
  backend?: Backend;
}
const TTL_TOGGLES: Case[] = [
  { dir: join('1.20.3', 'ttl-state-savepoint'), ttl: 'off' },
  { dir: join('1.20.3', 'ttl-state-savepoint'), ttl: 'off', backend: 'rocksdb' },
  { dir: join('1.20.3', 'keyed-hashmap-savepoint'), ttl: 'on' },
  { dir: join('1.20.3', 'keyed-rocksdb-native-savepoint'), ttl: 'on' },
];
const all = process.env.CKPT_UPGRADE_MATRIX === 'all';
const cases = (dirs: string[]): Case[] => dirs.map((dir) => ({ dir }));
const RUNS: { line: string; cases: Case[] }[] = [
  { line: '2.3', cases: [...cases([...UPGRADES.map((s) => join('1.20.3', s)), join('2.0.1', 'unaligned-checkpoint'), join('2.0.1', 'operator-state-savepoint')]), ...TTL_TOGGLES] },
  { line: '2.0', cases: [...(all ? cases([...UPGRADES.map((s) => join('1.20.3', s)), join('2.3.0', 'keyed-hashmap-savepoint')]) : []), ...TTL_TOGGLES] },
  { line: '1.20', cases: cases([join('2.0.1', 'keyed-hashmap-savepoint'), join('2.3.0', 'keyed-hashmap-savepoint')]) },
];

const missing = RUNS.map((r) => r.line).filter((l) => !existsSync(join(root, `conformance/target/flink-${l}/classpath.txt`)));
const fixturesThere = RUNS.every((r) => r.cases.every((c) => existsSync(join(generated, c.dir, 'manifest.json'))));
if (missing.length) console.log(`conformance build missing for Flink ${missing.join(', ')} (run pnpm conformance): upgrade matrix skipped`);

/** What ckpt's verdict says Flink's restore will do. */
function predicted(r: UpgradeReport): Outcome {
  switch (r.verdict) {
    case 'ok':
    case 'warnings':
      return 'restored';
    case 'refuses':
      return 'refused';
    case 'fails-while-restoring':
      return 'failed-while-restoring';
    case 'loses-state':
      return 'missing-state';
  }
}

interface Verdict {
  path: string;
  outcome: Outcome;
  error?: { chain: string };
}

/** What the restoring job is told: its TTL and backend (both as the scenario's unless the case says). */
const jobArgs = (c: Case): string[] => ['--ttl', c.ttl ?? 'keep', '--backend', c.backend ?? 'keep'];

/** The same job facts for ckpt: the backend the restoring job runs on is the case's or the scenario's. */
function jobOptions(c: Case): UpgradeCheckOptions {
  if (!c.ttl) return {};
  const manifest = JSON.parse(readFileSync(join(generated, c.dir, 'manifest.json'), 'utf8')) as { backend: Backend };
  return { ttlToggle: true, backend: c.backend ?? manifest.backend };
}

function jobLabel(c: Case): string {
  return c.ttl ? `TTL ${c.ttl}${c.backend ? ` (${c.backend})` : ''}` : '—';
}

function restore(line: string, list: Case[]): Verdict[] {
  const p = spawnSync(join(root, 'conformance/run.sh'), [line, 'restore', '--jsonl', '2', ...list.flatMap((c) => [...jobArgs(c), join(generated, c.dir)])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  return p.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Verdict);
}

describe.skipIf(missing.length > 0 || !fixturesThere)('real Flink restores what upgrade-check predicts', () => {
  const rows: string[] = [];

  it.each(RUNS.map((r) => [r.line, r] as const))('into Flink %s', async (_line, run) => {
    const verdicts = restore(run.line, run.cases);
    expect(verdicts).toHaveLength(run.cases.length);
    for (const [i, c] of run.cases.entries()) {
      const v = verdicts[i]!;
      const d = c.dir;
      const report = upgradeCheck(await factsOf(checkpointDir(join(generated, d))), run.line, jobOptions(c));
      const want = predicted(report);
      const rules = [...new Set(report.findings.map((f) => `${f.severity} ${f.rule}`))].join('; ') || '—';
      rows.push(`| ${d} | ${jobLabel(c)} | ${run.line} | ${report.verdict} (${rules}) | ${v.outcome} |`);
      expect({ snapshot: d, job: jobLabel(c), outcome: v.outcome }).toEqual({ snapshot: d, job: jobLabel(c), outcome: want });
      // a toggled TTL is judged by the ttl-toggle rule, for every keyed state of the job
      if (c.ttl) expect(report.findings.filter((f) => f.rule === 'ttl-toggle').map((f) => f.state).sort()).toEqual(['byValue', 'max', 'sum', 'values']);
      // where ckpt quotes Flink, Flink said it
      for (const f of report.findings.filter((x) => x.severity !== 'warning' && x.flinkMessage)) {
        const [head] = f.flinkMessage!.split('@…');
        expect(v.error?.chain ?? '').toContain(head);
      }
    }
  }, 600_000);

  it('writes the matrix table', () => {
    const dir = join(root, 'conformance/target');
    mkdirSync(dir, { recursive: true });
    const table = ['| snapshot | new job | target | predicted (ckpt) | actual (Flink) |', '|---|---|---|---|---|', ...rows].join('\n');
    writeFileSync(join(dir, 'upgrade-matrix.md'), `${table}\n`);
    expect(rows.length).toBe(RUNS.reduce((n, r) => n + r.cases.length, 0));
  });
});
