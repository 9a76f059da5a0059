import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { freePort, HOST, STORAGE_PKG } from './util.js';

export interface S3Server {
  endpoint: string;
  bucket: string;
  port: number;
  stop: () => Promise<void>;
}

/** s3rver 3.7.1 on 127.0.0.1 with one bucket; credentials S3RVER/S3RVER. */
export async function startS3(bucket = 'ckpt-test'): Promise<S3Server> {
  const { default: S3rver } = (await import(createRequire(join(STORAGE_PKG, 'package.json')).resolve('s3rver'))) as { default: new (o: object) => { run(): Promise<unknown>; close(): Promise<void> } };
  const directory = await mkdtemp(join(tmpdir(), 'ckpt-s3rver-'));
  const port = await freePort();
  const server = new S3rver({ address: HOST, port, silent: true, directory, configureBuckets: [{ name: bucket, configs: [] }] });
  await server.run();
  return {
    endpoint: `http://${HOST}:${port}`,
    bucket,
    port,
    stop: async () => {
      await server.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** {@link startS3} in a child process (`s3-process.ts`), so the server's work runs off this thread. */
export async function startS3Process(bucket = 'ckpt-test'): Promise<S3Server> {
  const script = join(import.meta.dirname, 's3-process.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', script, bucket], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise<{ endpoint: string; port: number }>((resolve, reject) => {
    child.stdout.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { endpoint: string; port: number });
    });
    child.once('exit', (code) => reject(new Error(`s3rver process exited (${code}) before it was ready`)));
  });
  const info = await ready;
  return {
    endpoint: info.endpoint,
    bucket,
    port: info.port,
    stop: async () => {
      const exited = once(child, 'exit');
      child.stdin.end();
      await exited;
    },
  };
}

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
