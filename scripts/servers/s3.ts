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

export const S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
