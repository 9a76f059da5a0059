import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage } from '@ckpt/storage';
import { run, type Io } from '../src/index.js';
import { S3_CREDENTIALS, startS3, type S3Server } from '../../../scripts/servers/s3.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const SAMPLE = join(root, 'fixtures/generated/2.3.0/keyed-rocksdb-native-savepoint');
const HEAP = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');
const KRYO = join(root, 'fixtures/generated/1.20.3/kryo-state-savepoint');

/** dump-state lines without where they are (subtask, key group): what a re-keying keeps. */
function entriesOf(lines: string[]): string[] {
  return lines.map((l) => {
    const { subtask: _s, keyGroup: _k, ...rest } = JSON.parse(l) as Record<string, unknown>;
    return JSON.stringify(rest);
  }).sort();
}

function capture(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (s) => stdout.push(s), err: (s) => stderr.push(s) };
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

describe('ckpt verify and latest on local disk', () => {
  it('verifies a savepoint, writes a manifest, then finds a changed file with --digests', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ckpt-')), 'savepoint-0a1b2c-3d4e5f6a7b8c');
    cpSync(SAMPLE, dir, { recursive: true });
    const io = capture();
    expect(await run(['verify', dir, '--write-manifest'], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/^OK/);
    const victim = files(dir).find((f) => !f.endsWith('_metadata') && !f.endsWith('.json'))!;
    const bytes = readFileSync(victim);
    bytes[bytes.length - 1]! ^= 0xff;
    writeFileSync(victim, bytes);
    const again = capture();
    expect(await run(['verify', dir, '--digests'], again)).toBe(4);
    expect(again.stdout.join('\n')).toMatch(/DigestMismatch/);
    rmSync(victim);
    const gone = capture();
    expect(await run(['verify', dir], gone)).toBe(4);
    expect(gone.stdout.join('\n')).toMatch(new RegExp(`NotFound: .*${relative(dir, victim)}`));
  });

  it('names the newest complete checkpoint and exits 5 when there is none', async () => {
    const io = capture();
    expect(await run(['latest', join(root, 'fixtures/generated/2.3.0/keyed-hashmap-checkpoint')], io)).toBe(0);
    expect(io.stdout[0]).toMatch(/\/chk-\d+$/);
    expect(await run(['latest', mkdtempSync(join(tmpdir(), 'ckpt-'))], capture())).toBe(5);
  });
});

describe('ckpt on S3 (s3rver on loopback)', () => {
  let s3: S3Server;
  const env = { ...process.env };
  beforeAll(async () => {
    s3 = await startS3('cli');
    process.env.AWS_ENDPOINT_URL_S3 = s3.endpoint;
    process.env.AWS_ACCESS_KEY_ID = S3_CREDENTIALS.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = S3_CREDENTIALS.secretAccessKey;
    process.env.AWS_REGION = 'us-east-1';
    const storage = await openStorage(`s3://${s3.bucket}/`);
    for (const f of files(SAMPLE)) {
      await storage.write(`savepoints/savepoint-0a1b2c-3d4e5f6a7b8c/${relative(SAMPLE, f)}`, new Uint8Array(readFileSync(f)));
    }
    for (const f of files(HEAP)) await storage.write(`savepoints/heap/${relative(HEAP, f)}`, new Uint8Array(readFileSync(f)));
    for (const f of files(KRYO)) await storage.write(`savepoints/kryo/${relative(KRYO, f)}`, new Uint8Array(readFileSync(f)));
    await storage.close?.();
  });
  afterAll(async () => {
    process.env = env;
    await s3?.stop();
  });

  it('inspects, verifies and plans a savepoint stored in S3', async () => {
    const uri = `s3://cli/savepoints/savepoint-0a1b2c-3d4e5f6a7b8c`;
    const io = capture();
    expect(await run(['inspect', uri], io)).toBe(0);
    expect(io.stdout.join('\n')).toMatch(/type:\s+savepoint \(NATIVE/);
    const streamed = capture();
    expect(await run(['inspect', uri, '--stream'], streamed)).toBe(0);
    expect(streamed.stdout).toEqual(io.stdout);
    const v = capture();
    expect(await run(['verify', uri, '--digests', '--json'], v)).toBe(0);
    const report = JSON.parse(v.stdout.join('\n')) as { ok: boolean; files: { sha256: string }[] };
    expect(report.ok).toBe(true);
    expect(report.files.length).toBeGreaterThan(3);
    expect(await run(['plan', uri, '-p', '3'], capture())).toBe(0);
  });

  it('upgrade-check reads the state headers from S3: the same report as from local disk', async () => {
    const local = capture();
    const remote = capture();
    expect(await run(['upgrade-check', KRYO, '--to', '2.0', '--json'], local)).toBe(3);
    expect(await run(['upgrade-check', 's3://cli/savepoints/kryo', '--to', '2.0', '--json'], remote)).toBe(3);
    expect(remote.stdout).toEqual(local.stdout);
    expect((JSON.parse(remote.stdout.join('\n')) as { findings: unknown[] }).findings).toHaveLength(2);
  });

  it('dump-state reads the state files from S3 (ranged reads): the same entries as from local disk', async () => {
    const local = capture();
    expect(await run(['dump-state', HEAP, '--operator', 'keyed'], local)).toBe(0);
    const remote = capture();
    expect(await run(['dump-state', 's3://cli/savepoints/heap', '--operator', 'keyed'], remote)).toBe(0);
    expect(remote.stdout.length).toBe(130);
    expect(remote.stdout).toEqual(local.stdout);
    const kg = (JSON.parse(local.stdout[0]!) as { keyGroup: number }).keyGroup;
    const some = capture();
    expect(await run(['dump-state', 's3://cli/savepoints/heap/_metadata', '--operator', 'keyed', '--key-groups', String(kg)], some)).toBe(0);
    expect(some.stdout).toEqual(local.stdout.filter((l) => (JSON.parse(l) as { keyGroup: number }).keyGroup === kg));
  });

  it('dump-state and rekey read a RocksDB native savepoint from S3 (the SSTs by ranged reads)', async () => {
    const local = capture();
    expect(await run(['dump-state', SAMPLE, '--operator', 'keyed'], local)).toBe(0);
    const remote = capture();
    expect(await run(['dump-state', 's3://cli/savepoints/savepoint-0a1b2c-3d4e5f6a7b8c', '--operator', 'keyed'], remote)).toBe(0);
    expect(remote.stdout.length).toBe(130);
    expect(remote.stdout).toEqual(local.stdout);
    const canonical = capture();
    expect(await run(['rekey', 's3://cli/savepoints/savepoint-0a1b2c-3d4e5f6a7b8c', '--max-parallelism', '128', '--out', 's3://cli/savepoints/rocksdb-canonical'], canonical)).toBe(0);
    const back = capture();
    expect(await run(['dump-state', 's3://cli/savepoints/rocksdb-canonical', '--operator', 'keyed'], back)).toBe(0);
    const sorted = (lines: string[]) => lines.map((l) => { const { subtask: _s, ...e } = JSON.parse(l) as Record<string, unknown>; return JSON.stringify(e); }).sort();
    expect(sorted(back.stdout)).toEqual(sorted(local.stdout));
  });

  it('rekey reads from S3 and writes to S3 (or local disk); the new savepoint holds the same entries', async () => {
    const io = capture();
    expect(await run(['rekey', 's3://cli/savepoints/heap', '--max-parallelism', '300', '--parallelism', '3', '--out', 's3://cli/savepoints/heap-300', '--json'], io)).toBe(0);
    const r = JSON.parse(io.stdout.join('\n')) as { out: string; relocatable: boolean; operators: { uid?: string; entries: number; files: string[] }[] };
    expect(r.out).toBe('s3://cli/savepoints/heap-300');
    expect(r.relocatable).toBe(true);
    expect(r.operators.find((o) => o.uid === 'keyed')).toMatchObject({ entries: 130 });
    const original = capture();
    expect(await run(['dump-state', HEAP, '--operator', 'keyed'], original)).toBe(0);
    const moved = capture();
    expect(await run(['dump-state', 's3://cli/savepoints/heap-300', '--operator', 'keyed'], moved)).toBe(0);
    expect(entriesOf(moved.stdout)).toEqual(entriesOf(original.stdout));
    const inspect = capture();
    expect(await run(['inspect', 's3://cli/savepoints/heap-300', '--json'], inspect)).toBe(0);
    expect((JSON.parse(inspect.stdout.join('\n')) as { operators: { uid?: string; maxParallelism: number }[] }).operators.find((o) => o.uid === 'keyed')?.maxParallelism).toBe(300);
    // an existing output is refused, on S3 as on disk
    const again = capture();
    expect(await run(['rekey', 's3://cli/savepoints/heap', '--max-parallelism', '64', '--out', 's3://cli/savepoints/heap-300'], again)).toBe(1); // a user's mistake (UsageError), as in every command
    expect(again.stderr.join('\n')).toMatch(/heap-300 exists/);
    const out = join(mkdtempSync(join(tmpdir(), 'ckpt-s3-rekey-')), 'local');
    expect(await run(['rekey', 's3://cli/savepoints/heap', '--max-parallelism', '64', '--out', out], capture())).toBe(0);
    const fromDisk = capture();
    expect(await run(['dump-state', out, '--operator', 'keyed'], fromDisk)).toBe(0);
    expect(entriesOf(fromDisk.stdout)).toEqual(entriesOf(original.stdout));
  });

  it('says clearly when the savepoint is not there', async () => {
    const io = capture();
    expect(await run(['inspect', 's3://cli/savepoints/nope'], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/nope/);
  });
});

describe('ckpt relocate and modify', () => {
  it('relocates to S3-like and local targets, refuses to overwrite, and rewrites absolute paths inside the source', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const scenario = join(root, 'fixtures/generated/2.3.0/keyed-rocksdb-incremental-checkpoint');
    const ckpt = dirname(join(scenario, JSON.parse(readFileSync(join(scenario, 'manifest.json'), 'utf8')).metadataPath));
    const io = capture();
    // a checkpoint whose shared files are absolute paths outside its directory: without copying,
    // the exclusive files are missing at the target, so verification fails (exit 4)
    expect(await run(['relocate', ckpt, join(tmp, 'copy'), '--no-copy', '--json'], io)).toBe(4);
    const r = JSON.parse(io.stdout.join('\n')) as { filesCopied: number; problems: { uri: string }[] };
    expect(r.filesCopied).toBe(0);
    expect(r.problems.length).toBeGreaterThan(0);
    expect(r.problems.every((p) => p.uri.includes('/copy/'))).toBe(true);
    const again = capture();
    expect(await run(['relocate', SAMPLE, join(tmp, 'copy')], again)).toBe(1);
    expect(again.stderr.join('\n')).toMatch(/refusing to overwrite/);
  });

  it('modify drops and re-maps state, and refuses uids in version 4 files', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-'));
    const io = capture();
    expect(await run(['modify', SAMPLE, join(tmp, 'm'), '--drop', 'source', '--json'], io)).toBe(0);
    const changes = JSON.parse(io.stdout.join('\n')) as { changes: string[] };
    expect(changes.changes[0]).toMatch(/^dropped e5a72f353fc1e6bbf3bd96a41384998c/);
    const inspect = capture();
    expect(await run(['inspect', join(tmp, 'm'), '--json'], inspect)).toBe(0);
    const s = JSON.parse(inspect.stdout.join('\n')) as { operators: { uid?: string }[] };
    expect(s.operators.map((o) => o.uid)).not.toContain('source');
    const v4 = capture();
    const old = join(root, 'fixtures/generated/1.20.3/keyed-hashmap-savepoint');
    expect(await run(['modify', old, join(tmp, 'v4'), '--set-uid', 'keyed=x'], v4)).toBe(1);
    expect(v4.stderr.join('\n')).toMatch(/version 4 stores no uids/);
    const unknown = capture();
    expect(await run(['modify', SAMPLE, join(tmp, 'u'), '--drop', 'nope'], unknown)).toBe(1);
    expect(unknown.stderr.join('\n')).toMatch(/no operator nope/);
  });
});

describe('ckpt diff', () => {
  it('is silent for a checkpoint and itself, and shows a dropped operator and the shared files after modify', async () => {
    const same = capture();
    expect(await run(['diff', SAMPLE, SAMPLE], same)).toBe(0);
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-'));
    expect(await run(['modify', SAMPLE, join(tmp, 'm'), '--drop', 'source'], capture())).toBe(0);
    const io = capture();
    expect(await run(['diff', SAMPLE, join(tmp, 'm'), '--json'], io)).toBe(6);
    const d = JSON.parse(io.stdout.join('\n')) as {
      operators: { uid?: string; change: string }[];
      files: { onlyA: string[]; onlyB: string[]; shared: string[] };
    };
    expect(d.operators.find((o) => o.uid === 'source')?.change).toBe('removed');
    expect(d.operators.filter((o) => o.change !== 'same' && o.change !== 'removed')).toEqual([]);
    expect(d.files.onlyB).toEqual([]);
    expect(d.files.shared.length).toBeGreaterThan(0);
    expect(d.files.onlyA.length).toBe(1); // the source's operator-state file
  });
});

describe('ckpt gc', () => {
  it('finds the shared files of a subsumed checkpoint, deletes only with --delete, and keeps the retained one intact', async () => {
    const scenario = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');
    const dir = join(mkdtempSync(join(tmpdir(), 'ckpt-gc-')), 'checkpoints');
    // a checkpoint directory: one retained savepoint plus leftovers of a failed checkpoint
    cpSync(scenario, join(dir, 'savepoint-0a1b2c-3d4e5f6a7b8c'), { recursive: true });
    writeFileSync(join(dir, 'orphan-of-chk-3'), 'x');
    const dry = capture();
    expect(await run(['gc', dir, '--json'], dry)).toBe(0);
    const plan = JSON.parse(dry.stdout.join('\n')) as { unreferenced: { uri: string }[]; dryRun: boolean };
    expect(plan.dryRun).toBe(true);
    expect(plan.unreferenced.map((f) => f.uri)).toEqual([expect.stringMatching(/\/orphan-of-chk-3$/)]);
    expect(await run(['gc', dir, '--delete'], capture())).toBe(0);
    expect(readdirSync(dir)).toEqual(['savepoint-0a1b2c-3d4e5f6a7b8c']);
    expect(await run(['verify', join(dir, 'savepoint-0a1b2c-3d4e5f6a7b8c')], capture())).toBe(0);
  });

  it('refuses a directory that holds no checkpoint', async () => {
    const io = capture();
    expect(await run(['gc', mkdtempSync(join(tmpdir(), 'ckpt-'))], io)).toBe(2);
    expect(io.stderr.join('\n')).toMatch(/not a checkpoint directory/);
  });
});

describe('ckpt convert with storage URIs', () => {
  it('reads _metadata from S3 and writes JSON back to S3, byte-exact on the way back', async () => {
    const s3 = await startS3('conv');
    const env = { ...process.env };
    try {
      Object.assign(process.env, {
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_ACCESS_KEY_ID: S3_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: S3_CREDENTIALS.secretAccessKey,
        AWS_REGION: 'us-east-1',
      });
      const storage = await openStorage('s3://conv/');
      await storage.write('sp/_metadata', new Uint8Array(readFileSync(join(SAMPLE, '_metadata'))));
      expect(await run(['convert', 's3://conv/sp', 's3://conv/out/sp.json'], capture())).toBe(0);
      const local = join(mkdtempSync(join(tmpdir(), 'ckpt-')), '_metadata');
      expect(await run(['convert', 's3://conv/out/sp.json', local], capture())).toBe(2); // remote input must be a checkpoint pointer
      const json = await storage.readRange('out/sp.json');
      const jf = join(dirname(local), 'sp.json');
      writeFileSync(jf, json);
      expect(await run(['convert', jf, local], capture())).toBe(0);
      expect(readFileSync(local).equals(readFileSync(join(SAMPLE, '_metadata')))).toBe(true);
      await storage.close?.();
    } finally {
      process.env = env;
      await s3.stop();
    }
  });
});
