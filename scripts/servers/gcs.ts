import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, HOST, run, spawnServer, waitForPort } from './util.js';

export const FAKE_GCS_MODULE = 'github.com/fsouza/fake-gcs-server';
export const FAKE_GCS_VERSION = 'v1.56.1';
const BIN_DIR = fileURLToPath(new URL('./.bin/', import.meta.url));
export const FAKE_GCS_BIN = join(BIN_DIR, 'fake-gcs-server');

/** Builds fake-gcs-server into scripts/servers/.bin with `go install` unless already there. */
export async function ensureFakeGcs(): Promise<string> {
  try {
    await access(FAKE_GCS_BIN);
    return FAKE_GCS_BIN;
  } catch {
    /* build */
  }
  await mkdir(BIN_DIR, { recursive: true });
  await run('go', ['install', `${FAKE_GCS_MODULE}@${FAKE_GCS_VERSION}`], {
    env: { ...process.env, GOBIN: BIN_DIR },
    cwd: tmpdir(),
    timeoutMs: 900_000,
  });
  await access(FAKE_GCS_BIN);
  return FAKE_GCS_BIN;
}

export interface GcsServer {
  apiEndpoint: string;
  bucket: string;
  stop: () => Promise<void>;
}

/** fake-gcs-server (HTTP, in-memory) on 127.0.0.1 with one pre-created bucket. */
export async function startFakeGcs(bucket = 'ckpt-test'): Promise<GcsServer> {
  const bin = await ensureFakeGcs();
  const data = await mkdtemp(join(tmpdir(), 'ckpt-gcs-'));
  await mkdir(join(data, bucket));
  const port = await freePort();
  const url = `http://${HOST}:${port}`;
  const srv = spawnServer(bin, [
    '-scheme', 'http',
    '-host', HOST,
    '-port', String(port),
    '-backend', 'memory',
    '-data', data,
    '-public-host', `${HOST}:${port}`,
    '-external-url', url,
    '-log-level', 'error',
  ], { dieWithParent: true });
  try {
    await waitForPort(port, 30_000, 'fake-gcs-server', srv.child);
  } catch (e) {
    await srv.stop();
    throw new Error(`${String(e)}\n${srv.output()}`);
  }
  return {
    apiEndpoint: url,
    bucket,
    stop: async () => {
      await srv.stop();
      await rm(data, { recursive: true, force: true });
    },
  };
}
