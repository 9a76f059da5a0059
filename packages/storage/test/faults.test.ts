/**
 * Fault injection through a loopback proxy: connections cut mid-body, 500/503 answers, delays.
 * Retries and resumed ranged reads must return byte-identical data.
 */
import { createHash, randomBytes } from 'node:crypto';
import { writeFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type FaultProxy } from '../../../scripts/servers/fault-proxy.js';
import { startHttpFileServer, type HttpFileServer } from '../../../scripts/servers/http.js';
import { S3_CREDENTIALS, startS3, type S3Server } from '../../../scripts/servers/s3.js';
import { startAzurite, type AzuriteServer } from '../../../scripts/servers/azurite.js';
import { collect, copyTree, openStorage, Storages, verifyCheckpoint, type Storage } from '../src/index.js';
import { FIXTURE_SAVEPOINTS, fixtureDir } from './fixtures.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const data = randomBytes(2 * 1024 * 1024 + 333);
const retry = { retries: 4, baseDelayMs: 5, maxDelayMs: 50 };

/** Cuts the first two GETs of a whole-object read mid-body: identical bytes, each retry resumed. */
async function expectWholeReadResumed(proxy: FaultProxy, s: Storage, cuts: [number, number]): Promise<void> {
  proxy.log.length = 0;
  for (const afterBytes of cuts) proxy.inject({ kind: 'cut', afterBytes });
  expect(sha(await collect(s.read('blob')))).toBe(sha(data));
  const gets = proxy.log.filter((l) => l.method === 'GET');
  expect(gets.map((g) => g.fault)).toEqual(['cut', 'cut', undefined]);
  const starts = gets.map((g) => Number(/bytes=(\d+)-/.exec(g.range ?? 'bytes=0-')?.[1]));
  expect(starts[0]).toBe(0);
  expect(starts[1]).toBeGreaterThanOrEqual(1); // resumed, not restarted
  expect(starts[2]).toBeGreaterThan(starts[1]!);
}

/** Cuts a ranged read once: identical bytes, the retry asks for the remaining range only. */
async function expectRangedReadResumed(proxy: FaultProxy, s: Storage): Promise<void> {
  proxy.log.length = 0;
  proxy.inject({ kind: 'cut', afterBytes: 50_000 });
  expect(sha(await s.readRange('blob', 123_456, 600_000))).toBe(sha(data.subarray(123_456, 723_456)));
  expect(proxy.log.filter((l) => l.method === 'GET').at(-1)?.range).toMatch(/^bytes=\d+-723455$/);
}

describe('faults: HTTP behind a loopback fault proxy', () => {
  let srv: HttpFileServer;
  let proxy: FaultProxy;
  let s: Storage;
  beforeAll(async () => {
    srv = await startHttpFileServer();
    await mkdir(join(srv.root, 'f'), { recursive: true });
    await writeFile(join(srv.root, 'f', 'blob'), data);
    proxy = await startFaultProxy(srv.origin);
    s = await openStorage(`${proxy.origin}/f`, { retry });
  });
  afterAll(async () => {
    await proxy?.stop();
    await srv?.stop();
  });

  it('resumes a read cut mid-body from the last byte received', async () => {
    await expectWholeReadResumed(proxy, s, [100_000, 700_000]);
  });

  it('resumes a ranged read with the remaining range only', async () => {
    await expectRangedReadResumed(proxy, s);
  });

  it('retries 503 SlowDown, 500 and connection resets', async () => {
    proxy.inject({ kind: 'status', status: 503 });
    proxy.inject({ kind: 'status', status: 500 });
    proxy.inject({ kind: 'reset' });
    expect(sha(await s.readRange('blob'))).toBe(sha(data));
    proxy.inject({ kind: 'status', status: 503 }, 'HEAD');
    expect((await s.stat('blob'))?.size).toBe(data.length);
  });

  it('gives up with a typed Transient error when retries run out', async () => {
    for (let i = 0; i < 5; i++) proxy.inject({ kind: 'status', status: 503 });
    const err = await s.readRange('blob').catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Transient', operation: 'read' });
    expect((err as { uri: string }).uri).toContain('/f/blob');
    expect(proxy.pending()).toBe(0);
  });

  it('survives a delayed answer and aborts a pending one', async () => {
    proxy.inject({ kind: 'delay', ms: 200 });
    expect(sha(await s.readRange('blob', 0, 1000))).toBe(sha(data.subarray(0, 1000)));
    proxy.inject({ kind: 'delay', ms: 5000 });
    const t0 = Date.now();
    const err = await s.readRange('blob', 0, 1000, { signal: AbortSignal.timeout(150) }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Aborted' });
    expect(Date.now() - t0).toBeLessThan(3000);
  });

  it('resumes against a server that ignores Range', async () => {
    srv.ignoreRange = true;
    try {
      proxy.inject({ kind: 'cut', afterBytes: 300_000 });
      const got = await s.readRange('blob', 1000, 1_000_000);
      expect(sha(got)).toBe(sha(data.subarray(1000, 1_001_000)));
    } finally {
      srv.ignoreRange = false;
    }
  });
});

describe('faults: S3 (s3rver) behind the fault proxy, Flink savepoint', () => {
  let s3: S3Server;
  let proxy: FaultProxy;
  beforeAll(async () => {
    s3 = await startS3('ckpt-faults');
    proxy = await startFaultProxy(s3.endpoint);
  });
  afterAll(async () => {
    await proxy?.stop();
    await s3?.stop();
  });

  it('verifies a savepoint with identical digests despite SlowDown and cut bodies', async () => {
    const fx = fixtureDir(FIXTURE_SAVEPOINTS[0]);
    const direct = new Storages({ s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS }, retry });
    const copied = await copyTree(fx, 's3://ckpt-faults/sp', { storages: direct });
    await direct.close();
    const viaProxy = new Storages({ s3: { endpoint: proxy.origin, credentials: S3_CREDENTIALS }, retry });
    const big = [...copied].sort((a, b) => b.size - a.size)[0]!;
    proxy.inject({ kind: 'status', status: 503 });
    proxy.inject({ kind: 'cut', afterBytes: 1000 });
    proxy.inject({ kind: 'status', status: 500 });
    const { storage, path } = await viaProxy.locate(`s3://ckpt-faults/sp/${big.path}`);
    proxy.inject({ kind: 'cut', afterBytes: Math.floor(big.size / 2) });
    expect(sha(await collect(storage.read(path)))).toBe(big.sha256);
    for (let i = 0; i < 3; i++) proxy.inject({ kind: 'cut', afterBytes: 700 });
    proxy.inject({ kind: 'status', status: 503 }, 'HEAD');
    const rep = await verifyCheckpoint('s3://ckpt-faults/sp', { storages: viaProxy, digests: true, concurrency: 2 });
    expect(rep.problems).toEqual([]);
    const byPath = new Map(copied.map((c) => [c.path, c.sha256]));
    for (const f of rep.files) expect(f.sha256).toBe(byPath.get(f.uri.slice('s3://ckpt-faults/sp/'.length)));
    expect(proxy.log.some((l) => l.fault === 'cut')).toBe(true);
    await viaProxy.close();
  });
});

describe('faults: Azure (Azurite) behind the fault proxy', () => {
  let az: AzuriteServer;
  let proxy: FaultProxy;
  let s: Storage;
  beforeAll(async () => {
    az = await startAzurite();
    const direct = await openStorage(`wasb://faults@${az.accountName}.blob.core.windows.net/f`, { azure: { connectionString: az.connectionString } });
    await (direct.driver as unknown as { container: { createIfNotExists(): Promise<unknown> } }).container.createIfNotExists();
    await direct.write('blob', data);
    await direct.close();
    const origin = new URL(az.blobEndpoint).origin;
    proxy = await startFaultProxy(origin);
    const viaProxy = az.connectionString.replace(origin, proxy.origin);
    s = await openStorage(`wasb://faults@${az.accountName}.blob.core.windows.net/f`, { azure: { connectionString: viaProxy }, retry });
  }, 60_000);
  afterAll(async () => {
    await proxy?.stop();
    await az?.stop();
  });

  it('resumes a download cut mid-body (the SDK reports it as an abort) from the last byte received', async () => {
    await expectWholeReadResumed(proxy, s, [100_000, 900_000]);
    await expectRangedReadResumed(proxy, s);
  });

  it('an abort the caller asked for stays Aborted and is not retried', async () => {
    proxy.log.length = 0;
    const ac = new AbortController();
    const err = await (async () => {
      for await (const c of s.read('blob', { signal: ac.signal })) if (c.length > 0) ac.abort();
    })().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'Aborted' });
    expect(proxy.log.filter((l) => l.method === 'GET')).toHaveLength(1);
  });
});
