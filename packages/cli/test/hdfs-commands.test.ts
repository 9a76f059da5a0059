import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, type Storage } from '@ckpt/storage';
import type { MetadataSummary } from '../src/index.js';
import { ckpt } from './support/run.js';
import { startHdfs, type HdfsServer } from '../../../scripts/servers/hdfs.js';

// The same commands as on local disk and S3, against a WebHDFS copy of real-Flink fixtures
// (MiniDFSCluster: one NameNode and one DataNode on 127.0.0.1).
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAVEPOINT = join(root, 'fixtures/generated/2.3.0/keyed-rocksdb-native-savepoint');
const HEAP = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');

const json = async <T>(args: string[]): Promise<T> => {
  const r = await ckpt([...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as T;
};

describe('ckpt on HDFS (WebHDFS)', () => {
  let hdfs: HdfsServer;
  let base: string;
  let storage: Storage;
  const env = { ...process.env };
  beforeAll(async () => {
    hdfs = await startHdfs();
    process.env.HADOOP_USER_NAME = 'ckpt';
    base = `webhdfs://${hdfs.httpAddress}/ckpt/cli`;
    storage = await openStorage(`${base}/`);
    // the copy onto HDFS is itself a ckpt command: relocate writes the files, then _metadata, then verifies
    const r = await ckpt(['relocate', SAVEPOINT, `${base}/savepoints/sp-1`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^relocated: /);
  }, 240_000);
  afterAll(async () => {
    process.env = env;
    await storage?.close?.();
    await hdfs?.stop();
  });

  it('inspect, plan and check give the same answers as for the local original', async () => {
    const remote = await json<MetadataSummary>(['inspect', `${base}/savepoints/sp-1`]);
    const local = await json<MetadataSummary>(['inspect', SAVEPOINT]);
    expect(remote.operators).toEqual(local.operators);
    expect(remote.sha256).not.toBe(undefined);
    expect(await json(['plan', `${base}/savepoints/sp-1`, '-p', '3'])).toEqual(await json(['plan', SAVEPOINT, '-p', '3']));
    expect((await ckpt(['check', `${base}/savepoints/sp-1`, '-p', '300'])).code).toBe(3);
  });

  it('verify --digests reads every file from HDFS; a truncated file is found', async () => {
    const ok = await json<{ ok: boolean; files: { sha256?: string }[] }>(['verify', `${base}/savepoints/sp-1`, '--digests']);
    expect(ok.ok).toBe(true);
    expect(ok.files.every((f) => /^[0-9a-f]{64}$/.test(f.sha256 ?? ''))).toBe(true);
    expect(await ckpt(['relocate', SAVEPOINT, `${base}/savepoints/sp-broken`])).toMatchObject({ code: 0 });
    const victim = ok.files.map((f) => (f as { uri: string }).uri).find((u) => !u.endsWith('_metadata'))!;
    const rel = victim.slice(victim.indexOf('/savepoints/sp-1/') + '/savepoints/sp-1/'.length);
    await storage.write(`savepoints/sp-broken/${rel}`, new Uint8Array(1));
    const broken = await ckpt(['verify', `${base}/savepoints/sp-broken`]);
    expect(broken.code).toBe(4);
    expect(broken.stdout).toMatch(/TooShort: .*sp-broken/);
  });

  it('report, convert and relocate back to local disk read from HDFS', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-hdfs-'));
    const r = await ckpt(['report', `${base}/savepoints/sp-1`, '-p', '2', '--out', join(tmp, 'r.html')]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(join(tmp, 'r.html'), 'utf8');
    expect(html).toContain(`${base}/savepoints/sp-1/_metadata`);
    expect(html.match(/<tr class="operator"/g)?.length).toBe((await json<MetadataSummary>(['inspect', SAVEPOINT])).operators.length);
    expect((await ckpt(['convert', `${base}/savepoints/sp-1`, join(tmp, 'sp.json')])).code).toBe(0);
    expect((await ckpt(['convert', join(tmp, 'sp.json'), join(tmp, '_metadata')])).code).toBe(0);
    expect(readFileSync(join(tmp, '_metadata')).equals(readFileSync(join(SAVEPOINT, '_metadata')))).toBe(true);
    const back = await ckpt(['relocate', `${base}/savepoints/sp-1`, join(tmp, 'back')]);
    expect(back.code, back.stderr).toBe(0);
    expect((await ckpt(['verify', join(tmp, 'back'), '--digests'])).code).toBe(0);
  });

  it('modify and diff between HDFS checkpoints', async () => {
    expect((await ckpt(['modify', `${base}/savepoints/sp-1`, `${base}/savepoints/sp-mod`, '--drop', 'source'])).code).toBe(0);
    const d = await ckpt(['diff', `${base}/savepoints/sp-1`, `${base}/savepoints/sp-mod`, '--json']);
    expect(d.code).toBe(6);
    const diff = JSON.parse(d.stdout) as { operators: { uid?: string; change: string }[]; files: { onlyB: string[]; shared: string[] } };
    expect(diff.operators.find((o) => o.uid === 'source')?.change).toBe('removed');
    expect(diff.files.onlyB).toEqual([]);
    expect(diff.files.shared.length).toBeGreaterThan(0);
  });

  it('dump-state and rekey read state files from HDFS; rekey writes its new savepoint there', async () => {
    expect((await ckpt(['relocate', HEAP, `${base}/savepoints/heap`])).code).toBe(0);
    const local = await ckpt(['dump-state', HEAP, '--operator', 'keyed']);
    const remote = await ckpt(['dump-state', `${base}/savepoints/heap`, '--operator', 'keyed']);
    expect(remote.code, remote.stderr).toBe(0);
    expect(remote.stdout.split('\n').length).toBe(130);
    expect(remote.stdout).toBe(local.stdout);
    const r = await ckpt(['rekey', `${base}/savepoints/heap`, '--max-parallelism', '256', '--out', `${base}/savepoints/heap-256`]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/keyed: 130 entries moved .*max parallelism 128 → 256/);
    const moved = await ckpt(['dump-state', `${base}/savepoints/heap-256`, '--operator', 'keyed']);
    expect(moved.code, moved.stderr).toBe(0);
    const entries = (s: string) => s.split('\n').map((l) => JSON.stringify({ ...JSON.parse(l), subtask: 0, keyGroup: 0 })).sort();
    expect(entries(moved.stdout)).toEqual(entries(local.stdout));
    expect((await ckpt(['verify', `${base}/savepoints/heap-256`])).code).toBe(0);
  });

  it('latest and gc on an HDFS checkpoint directory', async () => {
    const dir = `${base}/checkpoints/0123456789abcdef0123456789abcdef`;
    expect((await ckpt(['relocate', HEAP, `${dir}/chk-7`])).code).toBe(0);
    await storage.write('checkpoints/0123456789abcdef0123456789abcdef/shared/orphan', new TextEncoder().encode('x'));
    const latest = await ckpt(['latest', `${base}/checkpoints`]);
    expect(latest.code, latest.stderr).toBe(0);
    expect(latest.stdout).toMatch(/\/chk-7$/);
    const plan = await json<{ unreferenced: { uri: string }[] }>(['gc', dir]);
    expect(plan.unreferenced.map((f) => f.uri)).toEqual([expect.stringMatching(/\/shared\/orphan$/)]);
    const del = await ckpt(['gc', dir, '--delete']);
    expect(del.code, del.stderr).toBe(0);
    expect(await storage.stat('checkpoints/0123456789abcdef0123456789abcdef/shared/orphan')).toBeUndefined();
    expect((await ckpt(['verify', `${dir}/chk-7`])).code).toBe(0);
  });
});
