import { execFileSync } from 'node:child_process';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CkptError, keyGroupByteRanges } from '@ckpt/format';
import { readAll, readExactly } from '@ckpt/state';
import { storageResolver } from '@ckpt/state/node';
import { describe, expect, it } from 'vitest';
import {
  classifyError,
  copyTree,
  joinUri,
  listCheckpoints,
  loadCheckpoint,
  openStorage,
  parseUri,
  formatUri,
  removeEntropyKey,
  resolveCheckpointPointer,
  Storage,
  StorageError,
  verifyCheckpoint,
  type Driver,
} from '../src/index.js';
import { MemoryDriver } from '../src/drivers/memory.js';
import { FIXTURE_SAVEPOINTS, fixtureDir, REPO } from './fixtures.js';
import { withResolveHook } from './node-hook.js';

const norm = (s: string): string => formatUri(parseUri(s));

describe('URIs follow Flink Path rules', () => {
  it('normalises schemes, slashes and local paths', () => {
    expect(norm('file:///tmp/cp/')).toBe('file:/tmp/cp');
    expect(norm('/tmp//cp/x/')).toBe('file:/tmp/cp/x');
    expect(norm('s3://bkt//a/b/')).toBe('s3://bkt/a/b');
    expect(norm('hdfs:///cp')).toBe('hdfs:/cp');
    expect(norm('C:\\cp\\x')).toBe('file:/C:/cp/x');
    expect(norm('S3A://bkt/k')).toBe('s3a://bkt/k');
    expect(norm('abfss://c@acc.dfs.core.windows.net/p')).toBe('abfss://c@acc.dfs.core.windows.net/p');
    expect(norm('s3://b/a?b#c')).toBe('s3://b/a?b#c');
    expect(joinUri('s3://b/sp', 'uuid')).toBe('s3://b/sp/uuid');
    expect(joinUri('s3://b/sp', 'gs://x/y')).toBe('gs://x/y');
    expect(() => parseUri('')).toThrow(StorageError);
  });

  it('removes only the first entropy key', () => {
    expect(removeEntropyKey('s3://bkt/_entropy_/flink/cp/_entropy_', '_entropy_')).toBe('s3://bkt/flink/cp/_entropy_');
    expect(removeEntropyKey('s3://bkt/flink/cp', '_entropy_')).toBe('s3://bkt/flink/cp');
  });
});

describe('errors', () => {
  it('classifies transient, missing and denied failures', () => {
    expect(classifyError({ name: 'SlowDown' })).toBe('Transient');
    expect(classifyError({ name: 'X', $metadata: { httpStatusCode: 503 } })).toBe('Transient');
    expect(classifyError({ code: 'ECONNRESET' })).toBe('Transient');
    expect(classifyError(new TypeError('fetch failed', { cause: { code: 'UND_ERR_SOCKET' } }))).toBe('Transient');
    expect(classifyError({ code: 'ENOENT' })).toBe('NotFound');
    expect(classifyError({ statusCode: 403 })).toBe('PermissionDenied');
    expect(classifyError({ name: 'AbortError' })).toBe('Aborted');
  });
  it('StorageError is a CkptError with uri and operation', () => {
    const e = new StorageError('NotFound', 'gone', { uri: 's3://b/k', operation: 'read' });
    expect(e).toBeInstanceOf(CkptError);
    expect(e.message).toContain('s3://b/k');
    expect(e).toMatchObject({ code: 'NotFound', uri: 's3://b/k', operation: 'read' });
  });
  it('rejects unknown schemes and bucket-less URIs', async () => {
    await expect(openStorage('ftp://x/y')).rejects.toMatchObject({ code: 'InvalidUri' });
    await expect(openStorage('s3:/nobucket')).rejects.toMatchObject({ code: 'InvalidUri' });
  });
});

describe('checkpoint pointers, listing and handles (memory + local fixtures)', () => {
  it('rejects an empty pointer and resolves through an entropy key', async () => {
    await expect(resolveCheckpointPointer('')).rejects.toMatchObject({ code: 'InvalidPointer', detail: 'resolve: empty checkpoint pointer' });
    await copyTree(fixtureDir(FIXTURE_SAVEPOINTS[1]), 'memory://entropy/flink/cp/job/chk-5');
    const r = await resolveCheckpointPointer('memory://entropy/_entropy_/flink/cp/job/chk-5', { entropyKey: '_entropy_' });
    expect(r.directory).toBe('memory://entropy/flink/cp/job/chk-5');
  });

  it('re-checks the manifest and reports a same-size modification as DigestMismatch', async () => {
    const at = 'memory://manifest/sp/savepoint-aaaaaa-bbbbbbbbbbbb';
    await copyTree(fixtureDir(FIXTURE_SAVEPOINTS[0]), at);
    const first = await verifyCheckpoint(at, { writeManifest: true });
    expect(first.ok).toBe(true);
    expect(first.manifest?.files.length).toBe(first.files.length);
    const victim = first.files[0]!;
    const s = await openStorage(victim.uri);
    const bytes = await s.readRange('');
    bytes[0] = (bytes[0]! + 1) % 256;
    await s.write('', bytes);
    const again = await verifyCheckpoint(at, { digests: true });
    expect(again.manifestChecked).toBe(true);
    expect(again.problems.map((p) => [p.uri, p.problem])).toEqual([[victim.uri, 'DigestMismatch']]);
  });

  it('lists chk-N numerically and flags incomplete ones', async () => {
    const s = await openStorage('memory://listing/cp/0123456789abcdef0123456789abcdef');
    for (const n of [10, 2, 9]) await s.write(`chk-${n}/_metadata`, new Uint8Array([1]));
    await s.write('chk-11/some-state', new Uint8Array([1]));
    await s.write('shared/x', new Uint8Array([1]));
    const list = await listCheckpoints('memory://listing/cp');
    expect(list.map((e) => [e.id, e.complete, e.jobId])).toEqual([
      [2, true, '0123456789abcdef0123456789abcdef'],
      [9, true, '0123456789abcdef0123456789abcdef'],
      [10, true, '0123456789abcdef0123456789abcdef'],
      [11, false, '0123456789abcdef0123456789abcdef'],
    ]);
  });

  it('reads key-group ranges of keyed handles by offset', async () => {
    const dir = fixtureDir(FIXTURE_SAVEPOINTS[1]);
    const { metadata } = await loadCheckpoint(dir);
    const keyed = metadata.operators.flatMap((o) => o.subtasks.map((s) => s.managedKeyedState)).filter((h) => h?.kind === 'keyGroups' || h?.kind === 'savepointKeyGroups');
    expect(keyed.length).toBeGreaterThan(0);
    const resolver = storageResolver(dir);
    for (const h of keyed) {
      const src = resolver.resolve(h);
      const whole = await readAll(src);
      const parts: Uint8Array[] = [];
      for (const r of keyGroupByteRanges(h)) {
        const bytes = await readExactly(src, r.offset, r.length ?? whole.length - r.offset);
        if (r.length !== 0) expect(Buffer.from(bytes)).toEqual(Buffer.from(whole.subarray(r.offset, r.length === undefined ? undefined : r.offset + r.length)));
        else expect(bytes.length).toBe(0);
        parts.push(bytes);
      }
      const first = Number(h.offsets.find((o) => o > 0n) ?? 0n);
      expect(Buffer.concat(parts)).toEqual(Buffer.from(whole.subarray(first)));
    }
  });
});

describe('storage layer', () => {
  it('bounds concurrency', async () => {
    let active = 0;
    let peak = 0;
    const mem = new MemoryDriver('limit');
    const slow: Driver = {
      ...mem,
      name: 'slow',
      list: mem.list.bind(mem),
      stat: async (k) => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 10));
        active--;
        return mem.stat(k);
      },
      read: mem.read.bind(mem),
      write: mem.write.bind(mem),
      delete: mem.delete.bind(mem),
      copy: mem.copy.bind(mem),
    };
    const s = new Storage(slow, parseUri('memory://limit/'), { concurrency: 3 });
    await Promise.all(Array.from({ length: 20 }, (_, i) => s.stat(`k${i}`)));
    expect(peak).toBe(3);
  });

  it('never loads a cloud SDK to read and verify a local savepoint', () => {
    const src = join(REPO, 'packages/storage/src/index.ts');
    const script = `import { verifyCheckpoint, openStorage } from ${JSON.stringify(src)};
const rep = await verifyCheckpoint(${JSON.stringify(fixtureDir(FIXTURE_SAVEPOINTS[0]))}, { digests: true });
if (!rep.ok) throw new Error('not ok');
if (process.argv[2] === 'positive') await openStorage('s3://bucket/x');
console.log('OK', rep.files.length);`;
    const refuseSdks = "if (/^@aws-sdk|^@google-cloud|^@azure/.test(s)) throw new Error('SDK LOADED: ' + s); return n(s, c);";
    withResolveHook(refuseSdks, script, { cwd: join(REPO, 'packages/storage') }, (run) => {
      expect(run()).toMatch(/^OK \d+/);
      expect(() => run('positive')).toThrow(/SDK LOADED: @aws-sdk\/client-s3/);
    });
  });
});
