/**
 * Thousands of reads through the loopback fault proxy, each behind a random schedule of resets,
 * 500/503/429 answers, bodies cut at a random byte and delays: every read returns exactly the
 * stored bytes, or (only when the failures outnumber the retry budget) a typed StorageError; no
 * read hangs (a watchdog signal would turn a hang into an `Aborted` error, and none may fire).
 * CKPT_FAULT_READS sets the number of reads per backend (default 1500 HTTP, 500 S3).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFaultProxy, type Fault, type FaultProxy } from '../../../scripts/servers/fault-proxy.js';
import { startHttpFileServer, type HttpFileServer } from '../../../scripts/servers/http.js';
import { S3_CREDENTIALS, startS3, type S3Server } from '../../../scripts/servers/s3.js';
import { openStorage, StorageError, Storages, type Storage } from '../src/index.js';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const blob = randomBytes(256 * 1024 + 77);
const retry = { retries: 4, baseDelayMs: 1, maxDelayMs: 8 };
const WATCHDOG_MS = 30_000;

const fault: fc.Arbitrary<Fault> = fc.oneof(
  fc.constantFrom<Fault>({ kind: 'reset' }, { kind: 'status', status: 500 }, { kind: 'status', status: 503 }, { kind: 'status', status: 429 }),
  fc.integer({ min: 0, max: 200_000 }).map((afterBytes): Fault => ({ kind: 'cut', afterBytes })),
  fc.integer({ min: 0, max: 25 }).map((ms): Fault => ({ kind: 'delay', ms })),
);

interface Tally {
  reads: number;
  exact: number;
  refused: number;
  bytes: number;
  faults: number;
}

/** Runs `reads` random ranged reads of `name` through `proxy` and checks each outcome. */
async function faultRuns(s: Storage, proxy: FaultProxy, name: string, drain: () => Promise<void>, reads: number): Promise<Tally> {
  const t: Tally = { reads: 0, exact: 0, refused: 0, bytes: 0, faults: 0 };
  await fc.assert(
    fc.asyncProperty(fc.array(fault, { maxLength: 6 }), fc.nat(blob.length - 1), fc.nat(blob.length), async (faults, start, len) => {
      const length = Math.max(1, Math.min(len, blob.length - start));
      for (const f of faults) proxy.inject(f);
      const failing = faults.filter((f) => f.kind !== 'delay' && !(f.kind === 'cut' && f.afterBytes >= length)).length;
      const watchdog = AbortSignal.timeout(WATCHDOG_MS);
      t.reads++;
      t.faults += faults.length;
      try {
        const got = await s.readRange(name, start, length, { signal: watchdog });
        expect(sha(got)).toBe(sha(blob.subarray(start, start + length)));
        t.exact++;
        t.bytes += got.length;
      } catch (e) {
        expect(e, String(e)).toBeInstanceOf(StorageError);
        expect((e as StorageError).code, String(e)).not.toBe('Aborted'); // the watchdog fired: a hang
        expect(failing, `refused with ${failing} failing faults: ${String(e)}`).toBeGreaterThan(retry.retries);
        t.refused++;
      } finally {
        await drain();
      }
    }),
    { numRuns: reads },
  );
  return t;
}

/** Uses up faults a read left queued (a refused read stops before consuming them all). */
function drainer(proxy: FaultProxy, url: string): () => Promise<void> {
  return async () => {
    while (proxy.pending() > 0) await fetch(url).then((r) => r.arrayBuffer()).catch(() => undefined);
  };
}

const readsFor = (dflt: number) => Number(process.env.CKPT_FAULT_READS ?? dflt);

describe('fault runs: HTTP behind the fault proxy', () => {
  let srv: HttpFileServer;
  let proxy: FaultProxy;
  let s: Storage;
  beforeAll(async () => {
    srv = await startHttpFileServer();
    await mkdir(join(srv.root, 'r'), { recursive: true });
    await writeFile(join(srv.root, 'r', 'blob'), blob);
    proxy = await startFaultProxy(srv.origin);
    s = await openStorage(`${proxy.origin}/r`, { retry });
  });
  afterAll(async () => {
    await s?.close();
    await proxy?.stop();
    await srv?.stop();
  });

  it('every read returns the exact bytes or a typed error after its retry budget', async () => {
    const t = await faultRuns(s, proxy, 'blob', drainer(proxy, `${proxy.origin}/r/blob`), readsFor(1500));
    console.log(`fault runs HTTP: ${t.reads} reads, ${t.faults} faults, ${t.exact} exact (${t.bytes} bytes verified), ${t.refused} refused`);
    expect(t.exact).toBeGreaterThan(0);
  }, 600_000);
});

describe('fault runs: S3 (s3rver) behind the fault proxy', () => {
  let s3: S3Server;
  let proxy: FaultProxy;
  let storages: Storages;
  beforeAll(async () => {
    s3 = await startS3('ckpt-fault-runs');
    proxy = await startFaultProxy(s3.endpoint);
    const direct = await openStorage('s3://ckpt-fault-runs/', { s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS } });
    await direct.write('r/blob', blob);
    await direct.close();
    storages = new Storages({ s3: { endpoint: proxy.origin, credentials: S3_CREDENTIALS }, retry });
  }, 300_000);
  afterAll(async () => {
    await storages?.close();
    await proxy?.stop();
    await s3?.stop();
  });

  it('every read returns the exact bytes or a typed error after its retry budget', async () => {
    const { storage, path } = await storages.locate('s3://ckpt-fault-runs/r/blob');
    // draining needs a plain GET that the proxy forwards: s3rver answers 403 to it, which is fine
    const t = await faultRuns(storage, proxy, path, drainer(proxy, `${proxy.origin}/ckpt-fault-runs/r/blob`), readsFor(500));
    console.log(`fault runs S3: ${t.reads} reads, ${t.faults} faults, ${t.exact} exact (${t.bytes} bytes verified), ${t.refused} refused`);
    expect(t.exact).toBeGreaterThan(0);
  }, 600_000);
});
