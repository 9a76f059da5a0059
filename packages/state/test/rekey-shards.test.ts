import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { collectBytes } from '@ckpt/format';
import { Storages } from '@ckpt/storage';
import { StateError } from '../src/index.js';
import { assembleRekey, rekeySavepoint, SHARD_MANIFEST } from '../src/node/index.js';
import { loadFixture } from './support.js';

/** Every object below `uri` on a storage (relative name → bytes). */
async function objects(uri: string): Promise<Map<string, Buffer>> {
  const storages = new Storages();
  try {
    const { storage, path } = await storages.locate(uri);
    const out = new Map<string, Buffer>();
    for await (const e of storage.list(path, { recursive: true })) out.set(e.path.slice(path.length + 1), Buffer.from(await collectBytes(storage.read(e.path))));
    return out;
  } finally {
    await storages.close();
  }
}

const f = loadFixture('2.3.0', 'keyed-hashmap-savepoint');

describe('sharded conversion on an object store', () => {
  test.skipIf(!f)('shards and the assembly on memory://, a retried shard over its unfinished attempt: the bytes of one local run', async () => {
    const opts = { maxParallelism: 256, parallelism: 6 };
    const single = join(mkdtempSync(join(tmpdir(), 'ckpt-shard-obj-')), 'out');
    await rekeySavepoint(f!.dir, { ...opts, out: single });
    const bucket = `memory://shards-${process.pid}-${Date.now()}`;
    const dirs = [0, 1, 2].map((i) => `${bucket}/shard-${i}`);
    // an attempt of shard 1 that died after one part file (no _shard.json)
    const storages = new Storages();
    const { storage, path } = await storages.locate(`${dirs[1]}/keyed-e7beec23fd9f6ed5e1b8395129d43728-86-127`);
    await storage.write(path, new Uint8Array([1, 2, 3]));
    await storages.close();
    for (const [i, out] of dirs.entries()) await rekeySavepoint(f!.dir, { ...opts, out, shard: { index: i, count: 3 } });
    expect([...(await objects(dirs[1]!)).keys()]).toContain(SHARD_MANIFEST);
    // a finished shard is not written over
    await expect(rekeySavepoint(f!.dir, { ...opts, out: dirs[1]!, shard: { index: 1, count: 3 } })).rejects.toThrow(/exists/);
    await assembleRekey(f!.dir, dirs, { ...opts, out: `${bucket}/out` });
    const assembled = await objects(`${bucket}/out`);
    // relocatable input: relative handles, so the bytes do not depend on where the output lives
    expect([...assembled.keys()].sort()).toEqual(readdirSync(single).sort());
    for (const name of readdirSync(single)) expect(assembled.get(name)!.equals(readFileSync(join(single, name))), name).toBe(true);
    // a part file of another size than its manifest says
    const bad = new Storages();
    const loc = await bad.locate(`${dirs[2]}/${JSON.parse((await objects(dirs[2]!)).get(SHARD_MANIFEST)!.toString()).parts[0].file}`);
    await loc.storage.write(loc.path, new Uint8Array(5));
    await bad.close();
    const e = await assembleRekey(f!.dir, dirs, { ...opts, out: `${bucket}/out2` }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StateError);
    expect((e as StateError).code).toBe('SizeMismatch');
    expect((await objects(`${bucket}/out2`)).size).toBe(0);
  });
});
