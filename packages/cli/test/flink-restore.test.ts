import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run, type Io } from '../src/index.js';

// Proof with real Flink: savepoints that ckpt relocated or modified are restored by Flink 2.3 in a
// MiniCluster (conformance/ restore check), at a new parallelism, with the expected values.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const built = existsSync(join(root, 'conformance/target/flink-2.3/classpath.txt'));
if (!built) console.log('conformance build missing (run pnpm conformance): real-Flink restore proofs skipped');

const quiet: Io = { out: () => {}, err: () => {} };

function flinkRestore(dir: string, parallelism: number): { ok: boolean; checks: { name: string; ok: boolean }[] } {
  const out = execFileSync(join(root, 'conformance/run.sh'), ['2.3', 'restore', dir, String(parallelism)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out);
}

describe.skipIf(!built)('real Flink restores what ckpt wrote', () => {
  const scenario = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');

  it('a relocated savepoint, at parallelism 3', async () => {
    const dst = join(mkdtempSync(join(tmpdir(), 'ckpt-flink-')), 'relocated');
    expect(await run(['relocate', scenario, dst], quiet)).toBe(0);
    const verdict = flinkRestore(dst, 3);
    expect(verdict.checks.length).toBeGreaterThan(0);
    expect(verdict.ok).toBe(true);
  });

  it('a modified savepoint (state re-mapped to another uid and back, name set), at parallelism 1', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-flink-'));
    expect(await run(['modify', scenario, join(tmp, 'a'), '--remap', 'keyed=keyed-v2'], quiet)).toBe(0);
    expect(await run(['modify', join(tmp, 'a'), join(tmp, 'b'), '--remap', 'keyed-v2=keyed', '--set-name', 'keyed=renamed-by-ckpt'], quiet)).toBe(0);
    copyFileSync(join(scenario, 'manifest.json'), join(tmp, 'b', 'manifest.json'));
    const verdict = flinkRestore(join(tmp, 'b'), 1);
    expect(verdict.checks.length).toBeGreaterThan(0);
    expect(verdict.ok).toBe(true);
  });
});
