import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { upgradeCheck, type UpgradeReport } from '../src/index.js';
import { checkpointDir, factsOf, generated, root } from './support.js';

/**
 * Proof by real Flink: snapshots written by one Flink line are restored by another in a
 * MiniCluster (`conformance/run.sh <line> restore`), and what happened must be what
 * `upgradeCheck` predicted. CI restores into 2.3 (and the rollback into 1.20);
 * CKPT_UPGRADE_MATRIX=all adds 2.0. The table goes to conformance/target/upgrade-matrix.md.
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
const all = process.env.CKPT_UPGRADE_MATRIX === 'all';
const RUNS: { line: string; dirs: string[] }[] = [
  { line: '2.3', dirs: [...UPGRADES.map((s) => join('1.20.3', s)), join('2.0.1', 'unaligned-checkpoint'), join('2.0.1', 'operator-state-savepoint')] },
  ...(all ? [{ line: '2.0', dirs: [...UPGRADES.map((s) => join('1.20.3', s)), join('2.3.0', 'keyed-hashmap-savepoint')] }] : []),
  { line: '1.20', dirs: [join('2.0.1', 'keyed-hashmap-savepoint'), join('2.3.0', 'keyed-hashmap-savepoint')] },
];

const missing = RUNS.map((r) => r.line).filter((l) => !existsSync(join(root, `conformance/target/flink-${l}/classpath.txt`)));
const fixturesThere = RUNS.every((r) => r.dirs.every((d) => existsSync(join(generated, d, 'manifest.json'))));
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

function restore(line: string, dirs: string[]): Verdict[] {
  const p = spawnSync(join(root, 'conformance/run.sh'), [line, 'restore', '--jsonl', '2', ...dirs.map((d) => join(generated, d))], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
    maxBuffer: 64 << 20,
  });
  return p.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Verdict);
}

describe.skipIf(missing.length > 0 || !fixturesThere)('real Flink restores what upgrade-check predicts', () => {
  const rows: string[] = [];

  it.each(RUNS.map((r) => [r.line, r] as const))('into Flink %s', async (_line, run) => {
    const verdicts = restore(run.line, run.dirs);
    expect(verdicts).toHaveLength(run.dirs.length);
    for (const [i, d] of run.dirs.entries()) {
      const v = verdicts[i]!;
      const report = upgradeCheck(await factsOf(checkpointDir(join(generated, d))), run.line);
      const want = predicted(report);
      const rules = [...new Set(report.findings.map((f) => `${f.severity} ${f.rule}`))].join('; ') || '—';
      rows.push(`| ${d} | ${run.line} | ${report.verdict} (${rules}) | ${v.outcome} |`);
      expect({ snapshot: d, outcome: v.outcome }).toEqual({ snapshot: d, outcome: want });
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
    const table = ['| snapshot | target | predicted (ckpt) | actual (Flink) |', '|---|---|---|---|', ...rows].join('\n');
    writeFileSync(join(dir, 'upgrade-matrix.md'), `${table}\n`);
    expect(rows.length).toBe(RUNS.reduce((n, r) => n + r.dirs.length, 0));
  });
});
