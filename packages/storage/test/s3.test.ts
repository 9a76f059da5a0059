import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeMetadata, encodeMetadata } from '@ckpt/format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3_CREDENTIALS, startS3, type S3Server } from '../../../scripts/servers/s3.js';
import { resolveCheckpointPointer, Storages, verifyCheckpoint } from '../src/index.js';
import { FIXTURE_SAVEPOINTS, fixtureDir } from './fixtures.js';
import { contractSuite } from './contract.js';

let srv: S3Server | undefined;
contractSuite(
  'S3 (s3rver 3.7.1 on 127.0.0.1)',
  async () => {
    srv = await startS3('ckpt-contract');
    return {
      base: `s3://${srv.bucket}/run-${process.pid}`,
      options: { s3: { endpoint: srv.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_CREDENTIALS, partSize: 5 * 1024 * 1024 }, retry: { retries: 3, baseDelayMs: 20 } },
      shallowPrefixesOnly: true,
    };
  },
  async () => srv?.stop(),
);

describe('S3 specifics (s3rver): multipart writes, scheme aliases, entropy injection', () => {
  let s3: S3Server;
  let storages: Storages;
  beforeAll(async () => {
    s3 = await startS3('ckpt-s3x');
    storages = new Storages({ s3: { endpoint: s3.endpoint, credentials: S3_CREDENTIALS, partSize: 5 * 1024 * 1024 } });
  });
  afterAll(async () => {
    await storages?.close();
    await s3?.stop();
  });

  it('streams a large object as a multipart upload, invisible until completed', async () => {
    const data = randomBytes(11 * 1024 * 1024 + 17);
    const { storage } = await storages.locate('s3://ckpt-s3x/');
    let seenDuring: unknown = 'unset';
    async function* body(): AsyncIterable<Uint8Array> {
      for (let i = 0; i < data.length; i += 1024 * 1024) {
        if (i === 7 * 1024 * 1024) seenDuring = await storage.stat('mp/big');
        yield data.subarray(i, i + 1024 * 1024);
      }
    }
    await storage.write('mp/big', body());
    expect(seenDuring).toBeUndefined();
    const got = await storage.readRange('mp/big');
    expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });

  it('s3a:// and s3p:// address the same objects as s3://', async () => {
    const at = await storages.locate('s3://ckpt-s3x/alias/x');
    await at.storage.write(at.path, new Uint8Array([7, 8]));
    for (const scheme of ['s3a', 's3p']) {
      const l = await storages.locate(`${scheme}://ckpt-s3x/alias/x`);
      expect([...(await l.storage.readRange(l.path))]).toEqual([7, 8]);
    }
  });

  it('resolves and verifies an entropy-injected checkpoint (absolute handles under random prefixes)', async () => {
    // Re-create what Flink writes with s3.entropy.key=_entropy_ and dir s3://ckpt-s3x/_entropy_/flink/cp:
    // data files under per-file random prefixes, _metadata without the key, all handles absolute.
    const src = fixtureDir(FIXTURE_SAVEPOINTS[1]);
    const meta = decodeMetadata(new Uint8Array(await readFile(join(src, '_metadata'))));
    const chk = 'flink/cp/0123456789abcdef0123456789abcdef/chk-5';
    const { storage } = await storages.locate('s3://ckpt-s3x/');
    const rewrite = async (v: unknown): Promise<void> => {
      if (v === null || typeof v !== 'object' || v instanceof Uint8Array) return;
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const h = x as { kind?: string; relativePath?: string; size?: bigint };
        if (h?.kind === 'relativeFile') {
          const key = `${randomBytes(3).toString('hex').slice(0, 4)}/${chk}/${h.relativePath}`;
          await storage.write(key, new Uint8Array(await readFile(join(src, h.relativePath!))));
          (v as Record<string, unknown>)[k] = { kind: 'file', path: `s3://ckpt-s3x/${key}`, size: h.size };
        } else await rewrite(x);
      }
    };
    await rewrite(meta.operators);
    await storage.write(`${chk}/_metadata`, encodeMetadata(meta));
    const listed: string[] = [];
    for await (const e of storage.list(chk)) listed.push(e.path);
    expect(listed).toEqual([`${chk}/_metadata`]);
    const pointer = `s3://ckpt-s3x/_entropy_/${chk}`;
    const r = await resolveCheckpointPointer(pointer, { storages, entropyKey: '_entropy_' });
    expect(r.directory).toBe(`s3://ckpt-s3x/${chk}`);
    const rep = await verifyCheckpoint(pointer, { storages, entropyKey: '_entropy_', digests: true });
    expect(rep.problems).toEqual([]);
    expect(rep.files.length).toBeGreaterThan(0);
    for (const f of rep.files) expect(f.uri).toMatch(new RegExp(`^s3://ckpt-s3x/[0-9a-f]{4}/${chk}/`));
  });
});
