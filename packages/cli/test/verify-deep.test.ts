import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata, encodeMetadata, type CheckpointMetadata, type IncrementalKeyedHandle, type StreamStateHandle } from '@ckpt/format';
import { BytesSource, DataBlockWalker, SstTable } from '@ckpt/rocksdb';
import { afterAll, describe, expect, it } from 'vitest';
import { ckpt } from './support/run.js';
import { relocatedFixture } from './support/relocated.js';

const generated = resolve(dirname(fileURLToPath(import.meta.url)), '../../../fixtures/generated');
const tmp = mkdtempSync(join(tmpdir(), 'ckpt-deep-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let copies = 0;
/** A fresh copy of a fixture (relative handles: a copy reads like the original). */
function copy(version: string, scenario: string): string {
  const dir = join(tmp, `${scenario}-${version}-${copies++}`);
  cpSync(join(generated, version, scenario), dir, { recursive: true });
  return dir;
}

const metadataOf = (dir: string): CheckpointMetadata => decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
const relative = (h: StreamStateHandle): string => (h.kind === 'relativeFile' ? h.relativePath : '');

function nativeHandle(dir: string): IncrementalKeyedHandle {
  for (const op of metadataOf(dir).operators) for (const s of op.subtasks) if (s.managedKeyedState?.kind === 'incremental') return s.managedKeyedState;
  throw new Error(`no native handle in ${dir}`);
}

/** The file (in `dir`) of the first entry of the native handle whose local path matches. */
function snapshotFile(dir: string, match: RegExp): { path: string; localPath: string } {
  const h = nativeHandle(dir);
  const f = [...h.sharedState, ...h.privateState].find((x) => match.test(x.localPath))!;
  return { path: join(dir, relative(f.handle)), localPath: f.localPath };
}

function flip(path: string, offset: number): void {
  const b = readFileSync(path);
  b[offset] = b[offset]! ^ 0xff;
  writeFileSync(path, b);
}

interface DeepProblem { code: string; file: string; offset?: number; localPath?: string; path: string; message: string }
async function deep(dir: string, ...extra: string[]): Promise<{ code: number; problems: DeepProblem[]; stdout: string }> {
  const r = await ckpt(['-q', 'verify', dir, '--deep', '--json', ...extra]);
  const report = JSON.parse(r.stdout) as { ok: boolean; deep: { checks: number; problems: DeepProblem[] } };
  expect(report.ok).toBe(r.code === 0);
  return { code: r.code, problems: report.deep.problems, stdout: r.stdout };
}

async function dumpFails(dir: string, file: string): Promise<void> {
  const r = await ckpt(['-q', 'dump-state', dir, '--operator', 'keyed']);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toContain(file);
}

const LINES = ['1.20.3', '2.0.1', '2.3.0'];
const SCENARIOS = ['keyed-rocksdb-native-savepoint', 'keyed-hashmap-native-savepoint', 'keyed-hashmap-savepoint', 'keyed-rocksdb-canonical-savepoint', 'operator-state-savepoint'];

describe('ckpt verify --deep on sound snapshots', () => {
  for (const v of LINES) {
    it(`${v}: every relocatable scenario is OK (exit 0), text and JSON`, async () => {
      for (const s of SCENARIOS) {
        const dir = copy(v, s);
        const text = await ckpt(['-q', 'verify', dir, '--deep']);
        expect(text.code, `${s}\n${text.stdout}`).toBe(0);
        expect(text.stdout).toMatch(/state files read \(--deep\): \d+ checks, problems: 0/);
        expect((await deep(dir)).problems).toEqual([]);
      }
    });
  }
});

describe('ckpt verify --deep and dump-state on broken RocksDB snapshots', () => {
  for (const v of LINES) {
    it(`${v}: a flipped byte in an SST data block → exit 4 naming the file and the block offset; dump-state exit 2`, async () => {
      const dir = copy(v, 'keyed-rocksdb-native-savepoint');
      const sst = snapshotFile(dir, /\.sst$/);
      const bytes = new Uint8Array(readFileSync(sst.path));
      const block = (await new DataBlockWalker(await SstTable.open(new BytesSource(bytes, sst.path))).first())!;
      flip(sst.path, block.offset + Math.floor(block.size / 2));
      const r = await deep(dir);
      expect(r.code).toBe(4);
      expect(r.problems).toEqual([expect.objectContaining({ code: 'BadChecksum', file: expect.stringContaining(sst.path), offset: block.offset, localPath: sst.localPath })]);
      await dumpFails(dir, sst.path);
    });
  }

  it('a truncated SST → problems naming it; dump-state exit 2', async () => {
    const dir = copy('2.3.0', 'keyed-rocksdb-native-savepoint');
    const sst = snapshotFile(dir, /\.sst$/);
    truncateSync(sst.path, 300);
    const r = await deep(dir);
    expect(r.code).toBe(4);
    expect(r.problems.map((p) => p.code)).toContain('Truncated');
    expect(r.problems.every((p) => p.file.includes(sst.path) && p.localPath === sst.localPath)).toBe(true);
    await dumpFails(dir, sst.path);
  });

  it('a deleted shared SST → MissingFile; dump-state exit 2 naming it', async () => {
    const dir = copy('1.20.3', 'keyed-rocksdb-native-savepoint');
    const sst = snapshotFile(dir, /\.sst$/);
    rmSync(sst.path);
    const r = await deep(dir);
    expect(r.code).toBe(4);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'MissingFile', localPath: sst.localPath })]);
    await dumpFails(dir, sst.path);
  });

  it('a corrupt MANIFEST record → a problem naming the MANIFEST; dump-state exit 2', async () => {
    const dir = copy('2.0.1', 'keyed-rocksdb-native-savepoint');
    const manifest = snapshotFile(dir, /^MANIFEST/);
    flip(manifest.path, 40);
    const r = await deep(dir);
    expect(r.code).toBe(4);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'BadChecksum', file: expect.stringContaining(manifest.path), localPath: manifest.localPath })]);
    expect(r.problems[0]!.offset).toBeLessThanOrEqual(40);
    await dumpFails(dir, manifest.path);
  });

  it('a MANIFEST naming an SST the handle lacks → MissingFile naming the MANIFEST; dump-state exit 2', async () => {
    const dir = copy('2.3.0', 'keyed-rocksdb-native-savepoint');
    const meta = metadataOf(dir);
    const h = meta.operators.flatMap((o) => o.subtasks).find((s) => s.managedKeyedState?.kind === 'incremental')!.managedKeyedState as IncrementalKeyedHandle;
    const dropped = h.sharedState.shift()!;
    writeFileSync(join(dir, '_metadata'), encodeMetadata(meta));
    const manifest = snapshotFile(dir, /^MANIFEST/);
    const r = await deep(dir);
    expect(r.code).toBe(4);
    expect(r.problems).toEqual([expect.objectContaining({ code: 'MissingFile', localPath: manifest.localPath, message: expect.stringContaining(dropped.localPath) })]);
    await dumpFails(dir, dropped.localPath);
  });

  it('--jobs 1 and --jobs 8 give the same report; the JSON carries the deep problems', async () => {
    const dir = copy('2.3.0', 'keyed-rocksdb-native-savepoint');
    const h = nativeHandle(dir);
    for (const f of h.sharedState.filter((x) => x.localPath.endsWith('.sst'))) truncateSync(join(dir, relative(f.handle)), 100);
    flip(snapshotFile(dir, /^MANIFEST/).path, 30);
    const one = await deep(dir, '--jobs', '1');
    const eight = await deep(dir, '--jobs', '8');
    expect(one.code).toBe(4);
    expect(one.problems.length).toBeGreaterThan(4);
    expect(eight.problems).toEqual(one.problems);
    const report = JSON.parse(one.stdout);
    expect(Object.keys(report)).toEqual(expect.arrayContaining(['ok', 'files', 'problems', 'deep']));
    for (const p of report.deep.problems) expect(Object.keys(p)).toEqual(expect.arrayContaining(['code', 'message', 'file', 'path']));
    expect((await ckpt(['verify', dir, '--deep', '--jobs', '0'])).code).toBe(1);
  });
});

describe('ckpt verify --deep on broken key-group files', () => {
  for (const scenario of ['keyed-hashmap-native-savepoint', 'keyed-hashmap-savepoint']) {
    it(`${scenario}: a corrupt header → a problem naming the file; a shifted key group → its offset`, async () => {
      const dir = copy('2.3.0', scenario);
      const h = metadataOf(dir).operators.flatMap((o) => o.subtasks).map((s) => s.managedKeyedState).find((x) => x?.kind === 'keyGroups' || x?.kind === 'savepointKeyGroups')!;
      if (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups') throw new Error('no key-group handle');
      const file = join(dir, relative(h.delegate));
      const offset = Number(h.offsets.find((o) => o !== 0n));
      flip(file, offset);
      const shifted = await deep(dir);
      expect(shifted.code).toBe(4);
      expect(shifted.problems).toEqual([expect.objectContaining({ code: 'BadKeyGroup', offset, file: expect.stringContaining(file) })]);
      flip(file, offset);
      flip(file, 2);
      const header = await deep(dir);
      expect(header.code).toBe(4);
      expect(header.problems).toEqual([expect.objectContaining({ file: expect.stringContaining(file) })]);
      const dump = await ckpt(['-q', 'dump-state', dir, '--operator', 'keyed']);
      expect(dump.code).toBe(2);
      expect(dump.stderr).toContain(file);
    });
  }
});

describe('ckpt verify --deep on changelog checkpoints', () => {
  it('2.3.0: the state-change log parses (exit 0); a change set whose group count runs past the file → exit 4 naming the DSTL file; dump-state exit 2', async () => {
    const dir = copy('2.3.0', 'changelog-checkpoint');
    const chk = await relocatedFixture(dir);
    const sound = await deep(chk);
    expect(sound.code).toBe(0);
    const logs = join(dir, 'changelog', readdirSync(join(dir, 'changelog'))[0]!, 'dstl');
    const file = join(logs, readdirSync(logs).sort()[0]!);
    const b = readFileSync(file);
    b.writeInt32BE(0x7fffffff, 1); // the first change set's group count (after the compression flag)
    writeFileSync(file, b);
    const broken = await deep(chk);
    expect(broken.code).toBe(4);
    expect(broken.problems).toEqual([expect.objectContaining({ code: 'Truncated', file: expect.stringContaining(file) })]);
    const dump = await ckpt(['-q', 'dump-state', chk, '--operator', 'keyed', '--key-type', 'String']);
    expect(dump.code).toBe(2);
    expect(dump.stderr).toContain(file);
  });
});
