import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { decodeMetadata } from '@ckpt/format';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { foldKeyed } from './support/manifest-fold.js';
import { relocatedFixture } from './support/relocated.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const sp = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

describe.skipIf(!existsSync(sp))('ckpt rekey', () => {
  it('--help names the options and shows examples', async () => {
    const c = capture();
    expect(await run(['rekey', '--help'], c.io)).toBe(0);
    const text = c.out.join('\n');
    for (const s of ['--max-parallelism <n>', '--out <new-dir>', '--parallelism <p>', 'Examples:', 'ckpt rekey sp-1/']) expect(text).toContain(s);
  });

  it('writes a new directory and reports what moved (JSON)', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'ckpt-cli-rekey-')), 'new');
    const c = capture();
    expect(await run(['rekey', sp, '--max-parallelism', '300', '--parallelism', '3', '--out', out, '--json'], c.io)).toBe(0);
    const r = JSON.parse(c.out.join('\n'));
    const keyed = r.operators.find((o: { uid?: string }) => o.uid === 'keyed');
    expect(keyed).toMatchObject({ oldMaxParallelism: 128, newMaxParallelism: 300, oldParallelism: 2, newParallelism: 3, rekeyed: true, entries: 130 });
    expect(readdirSync(out).sort()).toEqual(['_metadata', ...r.copied, ...keyed.files].sort());
  });

  it('--memory and --tmp-dir: the same files, nothing left in --tmp-dir; a bad --memory is refused as a bad --max-parallelism is', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ckpt-cli-rekey-spill-'));
    const args = ['--max-parallelism', '300', '--parallelism', '3'];
    const c = capture();
    expect(await run(['rekey', sp, ...args, '--out', join(work, 'a')], c.io)).toBe(0);
    const runs = join(work, 'runs');
    mkdirSync(runs);
    expect(await run(['rekey', sp, ...args, '--memory', '1', '--tmp-dir', runs, '--out', join(work, 'b')], c.io), c.err.join('\n')).toBe(0);
    for (const n of readdirSync(join(work, 'a'))) expect(readFileSync(join(work, 'b', n)).equals(readFileSync(join(work, 'a', n))), n).toBe(true);
    expect(readdirSync(runs)).toEqual([]);
    const bad = capture();
    expect(await run(['rekey', sp, ...args, '--memory', '0', '--out', join(work, 'c')], bad.io)).toBe(1);
    expect(bad.err.join('\n')).toMatch(/--memory expects a number of MiB/);
    expect(existsSync(join(work, 'c'))).toBe(false);
  });

  it('without --max-parallelism: a plain conversion (every operator keeps its own; RocksDB native state becomes canonical)', async () => {
    const work = mkdtempSync(join(tmpdir(), 'ckpt-cli-rekey-plain-'));
    for (const scenario of ['keyed-rocksdb-native-savepoint', 'topology-savepoint']) {
      const src = join(root, 'fixtures/generated/2.3.0', scenario);
      const c = capture();
      expect(await run(['rekey', src, '--out', join(work, scenario), '--json'], c.io), c.err.join('\n')).toBe(0);
      const before = decodeMetadata(new Uint8Array(readFileSync(join(src, '_metadata'))));
      const after = decodeMetadata(new Uint8Array(readFileSync(join(work, scenario, '_metadata'))));
      expect(after.operators.map((o) => [o.operatorId, o.maxParallelism, o.parallelism])).toEqual(before.operators.map((o) => [o.operatorId, o.maxParallelism, o.parallelism]));
      expect(new Set(before.operators.map((o) => o.maxParallelism)).size).toBe(scenario === 'topology-savepoint' ? 4 : 1);
      const kinds = after.operators.flatMap((o) => o.subtasks.map((s) => s.managedKeyedState?.kind).filter(Boolean));
      expect(kinds.length).toBeGreaterThan(0);
      expect(kinds.every((k) => k === 'savepointKeyGroups' || k === 'keyGroups')).toBe(true);
      const dump = async (dir: string) => {
        const d = capture();
        const uid = scenario === 'topology-savepoint' ? 'keyed-8' : 'keyed';
        expect(await run(['dump-state', dir, '--operator', uid], d.io)).toBe(0);
        return d.out.map((l) => { const { subtask: _s, ...e } = JSON.parse(l); return JSON.stringify(e); }).sort();
      };
      const old = await dump(src);
      expect(old.length).toBeGreaterThan(0);
      expect(await dump(join(work, scenario))).toEqual(old);
    }
  });

  it('a HashMap retained checkpoint (heap format) becomes canonical savepoint handles with the same values', async () => {
    const dir = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-checkpoint');
    const src = await relocatedFixture(dir);
    const out = join(mkdtempSync(join(tmpdir(), 'ckpt-cli-rekey-heap-')), 'out');
    const c = capture();
    expect(await run(['rekey', src, '--max-parallelism', '256', '--parallelism', '3', '--out', out], c.io), c.err.join('\n')).toBe(0);
    const kinds = decodeMetadata(new Uint8Array(readFileSync(join(out, '_metadata')))).operators.flatMap((o) => o.subtasks.map((s) => s.managedKeyedState?.kind).filter(Boolean));
    expect(kinds).toEqual(['savepointKeyGroups', 'savepointKeyGroups', 'savepointKeyGroups']);
    const d = capture();
    expect(await run(['dump-state', out, '--operator', 'keyed'], d.io)).toBe(0);
    expect(foldKeyed(d.out)).toEqual(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')).expected.keyed.keys);
  });

  it('refuses the input itself, a directory inside it, an existing directory, and bad numbers (usage errors: exit 1)', async () => {
    const c = capture();
    expect(await run(['rekey', sp, '--max-parallelism', '256', '--out', sp], c.io)).toBe(1);
    expect(await run(['rekey', sp, '--max-parallelism', '256', '--out', join(sp, 'x')], c.io)).toBe(1);
    // an existing directory that does not contain the input (the checkout itself may live under tmpdir())
    expect(await run(['rekey', sp, '--max-parallelism', '256', '--out', mkdtempSync(join(tmpdir(), 'ckpt-cli-rekey-exists-'))], c.io)).toBe(1);
    expect(await run(['rekey', sp, '--max-parallelism', '0', '--out', join(tmpdir(), 'never')], c.io)).toBe(1);
    expect(await run(['rekey', sp, '--max-parallelism', '256', '--shard', '1/4', '--assemble', sp, '--out', join(tmpdir(), 'never')], c.io)).toBe(1);
    expect(c.err.join('\n')).toMatch(/outside the input[\s\S]*exists[\s\S]*1\.\.32768[\s\S]*separate steps/);
    expect(existsSync(join(sp, 'x'))).toBe(false);
    expect(existsSync(join(tmpdir(), 'never'))).toBe(false);
  });
});
