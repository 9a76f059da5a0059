/**
 * Storage throughput benchmark (not a test): stream + SHA-256 through @ckpt/storage versus the
 * raw SDK / client download on each loopback server, and versus `cat` locally; prints ratios
 * (ckpt time / baseline time; < 1.0 is faster) and writes them to bench/out/storage.json (read by
 * bench/run.mjs). All traffic stays on 127.0.0.1.
 *   npx tsx bench/storage.ts [sizeMiB=64] [--no-hdfs]
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
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
import { S3_CREDENTIALS, startS3 } from '../scripts/servers/s3.js';

/** The SDKs are dev dependencies of packages/storage: resolve them from there. */
const sdk = async <T>(name: string): Promise<T> =>
  (await import(pathToFileURL(createRequire(join(STORAGE_PKG, 'package.json')).resolve(name)).href)) as T;

const sizeMiB = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 64);
const data = randomBytes(sizeMiB * 1024 * 1024);
const expected = createHash('sha256').update(data).digest('hex');
const rows: { backend: string; baseline: string; baseMs: number; ckptMs: number }[] = [];

async function time(fn: () => Promise<unknown>, reps = 3): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function hashIter(src: AsyncIterable<Uint8Array>): Promise<string> {
  const h = createHash('sha256');
  for await (const c of src) h.update(c);
  return h.digest('hex');
}

async function ckpt(s: Storage, path: string): Promise<void> {
  const d = await digestStream(s.read(path));
  if (d.sha256 !== expected) throw new Error('digest mismatch');
}

async function bench(backend: string, baseline: string, uri: string, options: StorageOptions, raw: () => Promise<unknown>): Promise<void> {
  const s = await openStorage(uri, options);
  await s.write('bench.bin', data);
  const baseMs = await time(raw);
  const ckptMs = await time(() => ckpt(s, 'bench.bin'));
  rows.push({ backend, baseline, baseMs, ckptMs });
  await s.close();
  console.error(`${backend}: done`);
}

const dir = mkdtempSync(join(tmpdir(), 'ckpt-bench-'));
try {
  const local = join(dir, 'bench.bin');
  writeFileSync(local, data);
  rows.push({
    backend: 'local file',
    baseline: 'cat > /dev/null',
    baseMs: await time(async () => execFileSync('sh', ['-c', `cat '${local}' > /dev/null`])),
    ckptMs: await time(async () => ckpt(await openStorage(dir), 'bench.bin')),
  });
  rows.push({
    backend: 'local file',
    baseline: 'sha256sum',
    baseMs: await time(async () => execFileSync('sha256sum', [local])),
    ckptMs: rows[0]!.ckptMs,
  });

  const http = await startHttpFileServer();
  await bench('http', 'fetch + sha256', `${http.origin}/b`, {}, async () => hashIter((await fetch(`${http.origin}/b/bench.bin`)).body as unknown as AsyncIterable<Uint8Array>));
  await http.stop();

  const s3 = await startS3('bench');
  const { S3Client, GetObjectCommand } = await sdk<typeof import('@aws-sdk/client-s3')>('@aws-sdk/client-s3');
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.endpoint, forcePathStyle: true, credentials: S3_CREDENTIALS });
  await bench('s3 (s3rver)', 'SDK GetObject + sha256', 's3://bench/b', { s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS } }, async () =>
    hashIter((await client.send(new GetObjectCommand({ Bucket: 'bench', Key: 'b/bench.bin' }))).Body as AsyncIterable<Uint8Array>),
  );
  client.destroy();
  await s3.stop();

  const az = await startAzurite();
  const { BlobServiceClient } = await sdk<typeof import('@azure/storage-blob')>('@azure/storage-blob');
  const cc = BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient('bench');
  await cc.createIfNotExists();
  await bench('azure (azurite)', 'SDK download + sha256', `wasb://bench@${az.accountName}.blob.core.windows.net/b`, { azure: { connectionString: az.connectionString } }, async () =>
    hashIter((await cc.getBlobClient('b/bench.bin').download()).readableStreamBody as AsyncIterable<Uint8Array>),
  );
  await az.stop();

  const gcs = await startFakeGcs('bench');
  const { Storage: Gcs } = await sdk<typeof import('@google-cloud/storage')>('@google-cloud/storage');
  const bucket = new Gcs({ apiEndpoint: gcs.apiEndpoint, projectId: 'bench' }).bucket('bench');
  await bench('gcs (fake-gcs-server)', 'SDK createReadStream + sha256', 'gs://bench/b', { gcs: { apiEndpoint: gcs.apiEndpoint, projectId: 'bench' } }, async () =>
    hashIter(bucket.file('b/bench.bin').createReadStream({ validation: false })),
  );
  await gcs.stop();

  if (!process.argv.includes('--no-hdfs')) {
    const hdfs = await startHdfs();
    await bench('hdfs (MiniDFSCluster)', 'fetch OPEN + sha256', `webhdfs://${hdfs.httpAddress}/b`, { hdfs: { user: 'ckpt' } }, async () =>
      hashIter((await fetch(`http://${hdfs.httpAddress}/webhdfs/v1/b/bench.bin?op=OPEN&user.name=ckpt`)).body as unknown as AsyncIterable<Uint8Array>),
    );
    await hdfs.stop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

console.log(`\nstream + sha256 of ${sizeMiB} MiB, best of 3 (ratio = ckpt / baseline)`);
console.log(['backend'.padEnd(24), 'baseline'.padEnd(32), 'baseline ms', 'ckpt ms', 'ratio', 'ckpt MiB/s'].join('  '));
for (const r of rows) {
  console.log(
    [r.backend.padEnd(24), r.baseline.padEnd(32), r.baseMs.toFixed(0).padStart(11), r.ckptMs.toFixed(0).padStart(7), (r.ckptMs / r.baseMs).toFixed(2).padStart(5), (sizeMiB / (r.ckptMs / 1000)).toFixed(0).padStart(10)].join('  '),
  );
}

const out = join(import.meta.dirname, 'out');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'storage.json'), JSON.stringify({ sizeMiB, repetitions: 3, rows }, null, 2) + '\n');
