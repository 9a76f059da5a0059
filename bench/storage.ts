/**
 * Storage throughput benchmark (not a test): stream + SHA-256 through @ckpt/storage versus the
 * raw SDK / client download on each loopback server, and versus `sha256sum` / `cat` locally (plus
 * the stream alone, no digest, versus `cat`). Baseline and ckpt run interleaved (after the same
 * warm-up, the order alternating each round) and the min of the rounds counts; every contender
 * consumes the whole object and (except the stream-only pair) hashes every byte, and each digest
 * is checked. Prints ckpt / baseline time (< 1.0: ckpt is faster) and writes bench/out/storage.json
 * (read by bench/run.mjs, which shows the inverse, baseline / ckpt). All traffic stays on 127.0.0.1.
 *   npx tsx bench/storage.ts [sizeMiB=64] [--no-hdfs] [--only=local,http,s3,azure,gcs,hdfs]
 *   BENCH_STORAGE_ROUNDS (default 40; the local file rows run max(that, 21))
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { digestStream, openStorage, type Storage, type StorageOptions } from '../packages/storage/src/index.js';
import { startAzurite } from '../scripts/servers/azurite.js';
import { startFakeGcs } from '../scripts/servers/gcs.js';
import { startHdfs } from '../scripts/servers/hdfs.js';
import { startHttpFileServer } from '../scripts/servers/http.js';
import { STORAGE_PKG } from '../scripts/servers/util.js';
import { S3_CREDENTIALS, startS3Process } from '../scripts/servers/s3.js';
import { timeInterleaved } from './timing.mjs';

/** The SDKs are dev dependencies of packages/storage: resolve them from there. */
const sdk = async <T>(name: string): Promise<T> =>
  (await import(pathToFileURL(createRequire(join(STORAGE_PKG, 'package.json')).resolve(name)).href)) as T;

const sizeMiB = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 64);
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7).split(',');
const want = (k: string): boolean => (only === undefined || only.includes(k)) && !(k === 'hdfs' && process.argv.includes('--no-hdfs'));
const rounds = Number(process.env.BENCH_STORAGE_ROUNDS ?? 40);
const localRounds = Math.max(rounds, 21);
const warmup = 1;
const data = randomBytes(sizeMiB * 1024 * 1024);
const expected = createHash('sha256').update(data).digest('hex');
interface Row {
  backend: string;
  /** What ckpt does: `stream + sha256` or `stream only` (no digest). */
  measure: string;
  baseline: string;
  /** Min over the rounds. */
  baseMs: number;
  ckptMs: number;
  baseMedianMs: number;
  ckptMedianMs: number;
  /**
   * Median CPU time of this process per call (for an out-of-process server: the client's work);
   * null where the baseline is a child process (cat, sha256sum), whose time is not in it.
   */
  baseCpuMs: number | null;
  ckptCpuMs: number | null;
}
const rows: Row[] = [];
type Timing = { minMs: number; medianMs: number; cpuMedianMs: number };
const interleaved = timeInterleaved as (fns: (() => Promise<unknown>)[], o: { rounds: number; warmup: number }) => Promise<Timing[]>;
const row = (backend: string, measure: string, baseline: string, base: Timing, ck: Timing, cpu = true): void => {
  rows.push({
    backend,
    measure,
    baseline,
    baseMs: base.minMs,
    ckptMs: ck.minMs,
    baseMedianMs: base.medianMs,
    ckptMedianMs: ck.medianMs,
    baseCpuMs: cpu ? base.cpuMedianMs : null,
    ckptCpuMs: cpu ? ck.cpuMedianMs : null,
  });
};

async function hashIter(src: AsyncIterable<Uint8Array>): Promise<void> {
  const h = createHash('sha256');
  for await (const c of src) h.update(c);
  if (h.digest('hex') !== expected) throw new Error('baseline digest mismatch');
}

async function ckpt(s: Storage, path: string): Promise<void> {
  const d = await digestStream(s.read(path));
  if (d.sha256 !== expected) throw new Error('digest mismatch');
}

async function bench(backend: string, baseline: string, uri: string, options: StorageOptions, raw: () => Promise<unknown>): Promise<void> {
  const s = await openStorage(uri, options);
  await s.write('bench.bin', data);
  const [base, ck] = await interleaved([raw, () => ckpt(s, 'bench.bin')], { rounds, warmup });
  row(backend, 'stream + sha256', baseline, base!, ck!);
  await s.close();
  console.error(`${backend}: done`);
}

/** One entry per backend; each starts its server, benchmarks, stops it. */
const cases: Record<string, (dir: string) => Promise<void>> = {
  local: async (dir) => {
    const local = join(dir, 'bench.bin');
    writeFileSync(local, data);
    const devNull = openSync('/dev/null', 'w');
    const cat = async (): Promise<void> => {
      const r = spawnSync('cat', [local], { stdio: ['ignore', devNull, 'inherit'] });
      if (r.status !== 0) throw new Error(`cat exited ${r.status}`);
    };
    const sha256sum = async (): Promise<void> => {
      if (!execFileSync('sha256sum', [local], { encoding: 'utf8' }).startsWith(expected)) throw new Error('sha256sum mismatch');
    };
    const streamOnly = async (): Promise<void> => {
      let n = 0;
      for await (const c of (await openStorage(dir)).read('bench.bin')) n += c.length;
      if (n !== data.length) throw new Error(`read ${n} bytes`);
    };
    const withDigest = async (): Promise<void> => ckpt(await openStorage(dir), 'bench.bin');
    const [tCat, tSum, tHash, tStream] = await interleaved([cat, sha256sum, withDigest, streamOnly], { rounds: localRounds, warmup });
    closeSync(devNull);
    row('local file', 'stream + sha256', 'sha256sum', tSum!, tHash!, false);
    row('local file', 'stream + sha256', 'cat > /dev/null', tCat!, tHash!, false);
    row('local file', 'stream only', 'cat > /dev/null', tCat!, tStream!, false);
  },

  http: async () => {
    const http = await startHttpFileServer();
    await bench('http', 'fetch + sha256', `${http.origin}/b`, {}, async () => hashIter((await fetch(`${http.origin}/b/bench.bin`)).body as unknown as AsyncIterable<Uint8Array>));
    await http.stop();
  },

  s3: async () => {
    const s3 = await startS3Process('bench');
    const { S3Client, GetObjectCommand } = await sdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');
    const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3_CREDENTIALS });
    await bench('s3 (s3rver)', 'SDK GetObject + sha256', 's3://bench/b', { s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS } }, async () =>
      hashIter((await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'b/bench.bin' }))).Body as AsyncIterable<Uint8Array>),
    );
    client.destroy();
    await s3.stop();
  },

  azure: async () => {
    const az = await startAzurite();
    const { BlobServiceClient } = await sdk<typeof import('@azure/storage-blob')>('@azure/storage-blob');
    const cc = BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient('bench');
    await cc.createIfNotExists();
    await bench('azure (azurite)', 'SDK download + sha256', `wasb://bench@${az.accountName}.blob.core.windows.net/b`, { azure: { connectionString: az.connectionString } }, async () =>
      hashIter((await cc.getBlobClient('b/bench.bin').download()).readableStreamBody as AsyncIterable<Uint8Array>),
    );
    await az.stop();
  },

  gcs: async () => {
    const gcs = await startFakeGcs('bench');
    const { Storage: Gcs } = await sdk<typeof import('@google-cloud/storage')>('@google-cloud/storage');
    const bucket = new Gcs({ apiEndpoint: gcs.apiEndpoint, projectId: 'bench' }).bucket('bench');
    await bench('gcs (fake-gcs-server)', 'SDK createReadStream + sha256', 'gs://bench/b', { gcs: { apiEndpoint: gcs.apiEndpoint, projectId: 'bench' } }, async () =>
      hashIter(bucket.file('b/bench.bin').createReadStream({ validation: false })),
    );
    await gcs.stop();
  },

  hdfs: async () => {
    const hdfs = await startHdfs();
    await bench('hdfs (MiniDFSCluster)', 'fetch OPEN + sha256', `webhdfs://${hdfs.httpAddress}/b`, { hdfs: { user: 'ckpt' } }, async () =>
      hashIter((await fetch(`http://${hdfs.httpAddress}/webhdfs/v1/b/bench.bin?op=OPEN&user.name=ckpt`)).body as unknown as AsyncIterable<Uint8Array>),
    );
    await hdfs.stop();
  },
};

const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-'));
try {
  for (const [k, run] of Object.entries(cases)) if (want(k)) await run(dir);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\n${sizeMiB} MiB, min of ${rounds} interleaved rounds (local file: ${localRounds}) after ${warmup} warm-up (ratio = ckpt / baseline time; median in parentheses; cpu: median CPU ms of this process per call, ckpt / baseline)`);
console.log(['backend'.padEnd(22), 'ckpt'.padEnd(15), 'baseline'.padEnd(30), 'baseline ms', 'ckpt ms', 'ratio', '(median)', 'ckpt MiB/s', 'cpu'].join('  '));
for (const r of rows) {
  console.log(
    [
      r.backend.padEnd(22),
      r.measure.padEnd(15),
      r.baseline.padEnd(30),
      r.baseMs.toFixed(0).padStart(11),
      r.ckptMs.toFixed(0).padStart(7),
      (r.ckptMs / r.baseMs).toFixed(2).padStart(5),
      `(${(r.ckptMedianMs / r.baseMedianMs).toFixed(2)})`.padStart(8),
      (sizeMiB / (r.ckptMs / 1000)).toFixed(0).padStart(10),
      r.ckptCpuMs === null || r.baseCpuMs === null ? '-' : `${r.ckptCpuMs.toFixed(0)} / ${r.baseCpuMs.toFixed(0)}`,
    ].join('  '),
  );
}

const out = join(import.meta.dirname, 'out');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'storage.json'), JSON.stringify({ sizeMiB, rounds, localRounds, warmup, interleaved: true, rows }, null, 2) + '\n');
