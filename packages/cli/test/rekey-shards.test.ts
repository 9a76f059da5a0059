import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { run } from '../src/index.js';
import { relocatedFixture } from './support/relocated.js';

// `ckpt rekey --shard i/n` in n real processes of the built CLI, then `--assemble`: the same bytes
// as one process writing the same directory.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = join(root, 'packages/cli/dist/bundle/bin.js');
const fixture = (scenario: string) => join(root, 'fixtures/generated/2.3.0', scenario);
const ready = existsSync(bin) && existsSync(fixture('keyed-hashmap-savepoint'));
if (!ready) console.log('packages/cli/dist or the 2.3.0 fixtures missing (run pnpm build): sharded rekey tests skipped');

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) }, out, err };
}

/** One child process of the CLI; resolves with its exit code and stderr. */
function child(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    p.on('error', fail);
    p.on('close', (code) => done({ code: code ?? -1, stderr }));
  });
}

/** Every file below `dir` (relative name → bytes). */
function tree(dir: string, at = ''): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const e of readdirSync(join(dir, at), { withFileTypes: true })) {
    const rel = at ? `${at}/${e.name}` : e.name;
    if (e.isDirectory()) for (const [k, v] of tree(dir, rel)) out.set(k, v);
    else out.set(rel, readFileSync(join(dir, rel)));
  }
  return out;
}

/**
 * Converts `input` once in this process and once as `n` shards in child processes plus the
 * assembly, into the same path; returns both trees and the shard directories.
 */
async function splitAndWhole(input: string, args: string[], n: number) {
  const work = mkdtempSync(join(tmpdir(), 'ckpt-shard-'));
  const out = join(work, 'out');
  const c = capture();
  expect(await run(['rekey', input, ...args, '--out', out], c.io), c.err.join('\n')).toBe(0);
  const whole = tree(out);
  renameSync(out, join(work, 'whole'));
  const shards = [...Array(n).keys()].map((i) => join(work, `shard-${i}`));
  const results = await Promise.all(shards.map((dir, i) => child(['rekey', input, ...args, '--shard', `${i}/${n}`, '--out', dir])));
  for (const r of results) expect(r.code, r.stderr).toBe(0);
  expect(await run(['rekey', input, ...args, '--out', out, '--assemble', ...shards], c.io), c.err.join('\n')).toBe(0);
  return { work, out, whole, split: tree(out), shards };
}

function expectSameBytes(whole: Map<string, Buffer>, split: Map<string, Buffer>): void {
  expect([...split.keys()].sort()).toEqual([...whole.keys()].sort());
  for (const [name, bytes] of whole) expect(split.get(name)!.equals(bytes), name).toBe(true);
}

describe.skipIf(!ready)('ckpt rekey --shard i/n and --assemble', () => {
  it('a RocksDB incremental checkpoint turned canonical (128 → 256, parallelism 6) in 4 processes: byte-for-byte the output of one', async () => {
    const input = await relocatedFixture(fixture('keyed-rocksdb-incremental-checkpoint'));
    const { whole, split, shards, work } = await splitAndWhole(input, ['--max-parallelism', '256', '--parallelism', '6'], 4);
    expectSameBytes(whole, split);
    expect([...whole.keys()].filter((f) => f.startsWith('keyed-'))).toHaveLength(6);
    // each shard holds its slice's files and its manifest, nothing else (no temporary directory left)
    const partsPerShard = shards.map((d) => readdirSync(d).filter((f) => f !== '_shard.json').length);
    expect(partsPerShard).toEqual([2, 1, 2, 1]);
    expect(readdirSync(work).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 300_000);

  it('a heap (canonical) savepoint, plain conversion at max parallelism 128 and parallelism 4: the same bytes; bad shard sets are refused', async () => {
    const input = fixture('keyed-hashmap-savepoint');
    const args = ['--max-parallelism', '128', '--parallelism', '4'];
    const { whole, split, shards, work } = await splitAndWhole(input, args, 4);
    expectSameBytes(whole, split);
    expect(whole.has('_metadata')).toBe(true);

    const refused = async (extra: string[], dirs: string[], pattern: RegExp) => {
      const c = capture();
      const out = join(work, `refused-${Math.random().toString(36).slice(2)}`);
      expect(await run(['rekey', input, ...args, ...extra, '--out', out, '--assemble', ...dirs], c.io)).toBe(2);
      expect(c.err.join('\n')).toMatch(pattern);
      expect(existsSync(out)).toBe(false);
    };
    await refused([], shards.slice(0, 3), /MissingShard: shard\(s\) 3\/4 missing/);
    await refused([], [...shards.slice(0, 3), shards[1]!], /DuplicateShard: shard 1\/4 is in both/);
    await refused([], [...shards.slice(0, 3), work], /MissingShard: .* holds no _shard\.json/);
    await refused(['--compress'], shards, /ShardMismatch: .*other options/);
    // a shard of another split of the same input
    const other = join(work, 'other-0');
    expect(await run(['rekey', input, ...args, '--shard', '0/2', '--out', other], capture().io)).toBe(0);
    await refused([], [other, ...shards.slice(1)], /ShardMismatch: .*it is shard 1\/4, the first one given is of 2 shards/);
    // a shard of another input
    const alien = join(work, 'alien-3');
    expect(await run(['rekey', fixture('keyed-rocksdb-canonical-savepoint'), ...args, '--shard', '3/4', '--out', alien], capture().io)).toBe(0);
    await refused([], [...shards.slice(0, 3), alien], /ShardMismatch: .*another _metadata/);
    // a manifest that lists other parts than its slice
    const m = JSON.parse(readFileSync(join(shards[0]!, '_shard.json'), 'utf8'));
    m.parts = m.parts.slice(1);
    writeFileSync(join(shards[0]!, '_shard.json'), JSON.stringify(m));
    await refused([], shards, /ShardMismatch: .*its slice is/);
    // a shard directory is a new directory too: an existing one is refused
    expect(await run(['rekey', input, ...args, '--shard', '1/4', '--out', shards[1]!], capture().io)).toBe(1);
    expect(await run(['rekey', input, ...args, '--shard', '4/4', '--out', join(work, 'x')], capture().io)).toBe(1);
  }, 300_000);
});
