/**
 * The storage contract: every driver runs this same suite against a real server on loopback
 * (or local disk / memory). Each driver's test file starts its server and calls
 * {@link contractSuite}.
 */
import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collect,
  formatUri,
  parseUri,
  copyTree,
  listCheckpoints,
  loadCheckpoint,
  openStorage,
  resolveCheckpointPointer,
  Storages,
  summarizeCheckpoint,
  verifyCheckpoint,
  type Storage,
  type StorageOptions,
} from '../src/index.js';
import { forEachStreamHandle, summarizeMetadata, type CheckpointMetadata, type StreamStateHandle } from '@ckpt/format';
import { HandleResolver, readAll } from '@ckpt/state';
import { storageOpener, storageResolver } from '@ckpt/state/node';
import { FIXTURE_SAVEPOINTS, fixtureDir } from './fixtures.js';

export interface Backend {
  /** Writable base URI, unique to this run. */
  base: string;
  options: StorageOptions;
  /** Backend can list (HTTP cannot). */
  canList?: boolean;
  /**
   * s3rver 3.7.1 bug: a delimiter listing omits common prefixes that only have objects two or
   * more levels down; listCheckpoints is then asked for the job directory itself.
   */
  shallowPrefixesOnly?: boolean;
}

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function* chunks(data: Uint8Array, size: number): AsyncIterable<Uint8Array> {
  for (let i = 0; i < data.length; i += size) yield data.slice(i, i + size);
}

async function* mapIter<T, U>(src: AsyncIterable<T>, f: (t: T) => U): AsyncIterable<U> {
  for await (const x of src) yield f(x);
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return undefined;
  } catch (e) {
    return (e as { code?: string }).code;
  }
}

/** Every stream handle of a metadata model, found structurally. */
/** Every stream handle of a checkpoint (the model visitor's walk). */
export function streamHandles(meta: CheckpointMetadata): StreamStateHandle[] {
  const out: StreamStateHandle[] = [];
  forEachStreamHandle(meta, (h) => out.push(h));
  return out;
}

export function contractSuite(name: string, start: () => Promise<Backend>, stop: () => Promise<void> = async () => undefined): void {
  describe(`storage contract: ${name}`, () => {
    let b: Backend;
    let s: Storage;
    let storages: Storages;
    const big = randomBytes(3 * 1024 * 1024 + 12345);

    beforeAll(async () => {
      b = await start();
      b = { ...b, base: formatUri(parseUri(b.base)) };
      s = await openStorage(b.base, b.options);
      storages = new Storages(b.options);
    }, 900_000);
    afterAll(async () => {
      await storages?.close();
      await s?.close();
      await stop();
    }, 60_000);

    it('writes, stats and reads whole objects and ranges', async () => {
      await s.write('obj/big.bin', chunks(big, 64 * 1024 + 7));
      const st = await s.stat('obj/big.bin');
      expect(st?.isDirectory).toBe(false);
      expect(st?.size).toBe(big.length);
      expect(sha(await collect(s.read('obj/big.bin')))).toBe(sha(big));
      expect(Buffer.from(await s.readRange('obj/big.bin', 1000, 70_000))).toEqual(Buffer.from(big.subarray(1000, 71_000)));
      expect(Buffer.from(await s.readRange('obj/big.bin', big.length - 10))).toEqual(Buffer.from(big.subarray(big.length - 10)));
      expect((await s.readRange('obj/big.bin', big.length)).length).toBe(0);
      expect(await code(s.readRange('obj/big.bin', big.length - 5, 10))).toBe('Corrupt');
      // into a given buffer (read in place or copied, by backend): the same bytes, nothing past them
      const target = new Uint8Array(70_001).fill(7);
      await s.readRangeInto('obj/big.bin', 1000, target.subarray(0, 70_000));
      expect(Buffer.from(target.subarray(0, 70_000))).toEqual(Buffer.from(big.subarray(1000, 71_000)));
      expect(target[70_000]).toBe(7);
      expect(await code(s.readRangeInto('obj/big.bin', big.length - 5, new Uint8Array(10)))).toBe('Corrupt');
    });

    it('writes an empty object and a Uint8Array body', async () => {
      await s.write('obj/empty', new Uint8Array(0));
      expect((await s.stat('obj/empty'))?.size).toBe(0);
      expect((await s.readRange('obj/empty')).length).toBe(0);
    });

    it('overwrites atomically (readers see old or new, never a mix)', async () => {
      const a = randomBytes(200_000);
      const c = randomBytes(150_000);
      await s.write('obj/over', a);
      await s.write('obj/over', chunks(c, 10_000));
      expect(sha(await s.readRange('obj/over'))).toBe(sha(c));
    });

    it('reports missing objects: stat → undefined, read → NotFound', async () => {
      expect(await s.stat('nope/missing')).toBeUndefined();
      expect(await code(s.readRange('nope/missing'))).toBe('NotFound');
      expect(await code(collect(s.read('nope/missing', { offset: 5 })))).toBe('NotFound');
    });

    it('treats a prefix with objects as a directory', async () => {
      await s.write('dir/a/x', new Uint8Array([1]));
      await s.write('dir/a/y/z', new Uint8Array([2, 3]));
      const st = await s.stat('dir/a');
      expect(st?.isDirectory).toBe(true);
    });

    it('lists children and recursive contents (or refuses with Unsupported)', async () => {
      if (b.canList === false) {
        expect(await code(collect(mapIter(s.list('dir'), () => new Uint8Array(0))))).toBe('Unsupported');
        return;
      }
      await s.write('dir/l/x', new Uint8Array([1]));
      await s.write('dir/l/y/z', new Uint8Array([2, 3]));
      const flat = [];
      for await (const e of s.list('dir/l')) flat.push(e);
      flat.sort((p, q) => (p.path < q.path ? -1 : 1));
      expect(flat).toEqual([
        { path: 'dir/l/x', size: 1, isDirectory: false },
        { path: 'dir/l/y', size: 0, isDirectory: true },
      ]);
      const deep = [];
      for await (const e of s.list('dir/l', { recursive: true })) deep.push(e.path);
      expect(deep.sort()).toEqual(['dir/l/x', 'dir/l/y/z']);
      const none = [];
      for await (const e of s.list('dir/does-not-exist')) none.push(e);
      expect(none).toEqual([]);
    });

    it('copies and deletes (deleting a missing object is fine)', async () => {
      const d = randomBytes(50_000);
      await s.write('cp/src', d);
      await s.copy('cp/src', 'cp/dst');
      expect(sha(await s.readRange('cp/dst'))).toBe(sha(d));
      await s.delete('cp/src');
      expect(await s.stat('cp/src')).toBeUndefined();
      await s.delete('cp/src');
      expect(await code(s.copy('cp/missing', 'cp/x'))).toBe('NotFound');
    });

    it('a failed streaming write leaves the previous object untouched', async () => {
      const old = randomBytes(10_000);
      await s.write('atomic/obj', old);
      async function* failing(): AsyncIterable<Uint8Array> {
        yield randomBytes(64 * 1024);
        throw new Error('producer died');
      }
      await expect(s.write('atomic/obj', failing())).rejects.toThrow();
      await expect(s.write('atomic/new', failing())).rejects.toThrow();
      expect(sha(await s.readRange('atomic/obj'))).toBe(sha(old));
      expect(await s.stat('atomic/new')).toBeUndefined();
    });

    it('killed mid-write at random points: the old object or the complete new one, digests re-checked', async () => {
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 200_000 }),
          fc.integer({ min: 1, max: 300_000 }),
          fc.integer({ min: 1, max: 70_000 }),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.constantFrom('producer throws', 'signal aborts'),
          async (oldSize, newSize, chunk, at, how) => {
            const key = `killed/${run++}`;
            const old = randomBytes(oldSize);
            const next = randomBytes(newSize);
            await s.write(key, old);
            expect(sha(await s.readRange(key))).toBe(sha(old));
            const stopAt = Math.floor(at * newSize); // bytes handed over before the kill
            const ac = new AbortController();
            async function* killed(): AsyncIterable<Uint8Array> {
              for (let p = 0; p < newSize; p += chunk) {
                if (p >= stopAt) {
                  if (how === 'signal aborts') ac.abort(new Error('killed'));
                  else throw new Error('killed');
                }
                yield next.slice(p, Math.min(newSize, p + chunk));
                await new Promise((r) => setImmediate(r));
              }
              if (how === 'signal aborts') ac.abort(new Error('killed'));
              else throw new Error('killed');
            }
            await expect(s.write(key, killed(), { signal: ac.signal })).rejects.toThrow();
            expect(sha(await s.readRange(key))).toBe(sha(old));
            expect(await s.stat(`${key}-never`)).toBeUndefined();
            await s.write(key, next);
            expect(sha(await s.readRange(key))).toBe(sha(next));
            await s.delete(key);
          },
        ),
        { numRuns: Number(process.env.CKPT_KILLED_WRITES ?? 12) },
      );
    });

    it('aborts reads via AbortSignal', async () => {
      const ac = new AbortController();
      ac.abort();
      expect(await code(collect(s.read('obj/big.bin', { signal: ac.signal })))).toBe('Aborted');
      const ac2 = new AbortController();
      let n = 0;
      const err = await code(
        (async () => {
          for await (const c of s.read('obj/big.bin', { signal: ac2.signal })) {
            n += c.length;
            ac2.abort();
          }
        })(),
      );
      expect(err).toBe('Aborted');
      expect(n).toBeLessThan(big.length);
    });

    // where each fixture is placed: a standard savepoint dir, and a chk-<n> inside a job dir
    const places = [
      { parent: 'savepoints', name: 'savepoint-0a1b2c-0123456789ab', kind: 'savepoint' },
      { parent: 'checkpoints', name: '0123456789abcdef0123456789abcdef/chk-7', kind: 'checkpoint' },
    ] as const;
    FIXTURE_SAVEPOINTS.forEach((fx, i) => {
      const place = places[i % places.length]!;
      describe(`Flink savepoint ${fx} as ${place.parent}/${place.name}`, () => {
        const local = (): string => fixtureDir(fx);
        const remote = (): string => `${b.base}/${place.parent}/${place.name}`;
        let copied: Map<string, string>;
        const progress: { done: number; total?: number; bytes?: number }[] = [];
        let copiedBytes = 0;

        beforeAll(async () => {
          const files = await copyTree(local(), remote(), { ...b.options, storages, onProgress: (e) => progress.push(e) });
          copied = new Map(files.map((f) => [f.path, f.sha256]));
          copiedBytes = files.reduce((n, f) => n + f.size, 0);
        }, 120_000);

        it('reports copy progress: one step per file, every byte counted', () => {
          expect(progress.map((e) => e.done)).toEqual(Array.from({ length: copied.size }, (_, i) => i + 1));
          expect(progress.every((e) => e.total === copied.size)).toBe(true);
          expect(progress.reduce((n, e) => n + (e.bytes ?? 0), 0)).toBe(copiedBytes);
        });

        it('resolves the directory and the _metadata file like Flink', async () => {
          const r1 = await resolveCheckpointPointer(remote(), { storages });
          const r2 = await resolveCheckpointPointer(`${remote()}/`, { storages });
          const r3 = await resolveCheckpointPointer(`${remote()}/_metadata`, { storages });
          for (const r of [r1, r2, r3]) {
            expect(r.metadataUri).toBe(`${remote()}/_metadata`);
            expect(r.directory).toBe(remote());
          }
          expect(r1.metadataSize).toBeGreaterThan(0);
          await expect(resolveCheckpointPointer(`${remote()}-missing`, { storages })).rejects.toThrow(/Cannot find checkpoint or savepoint file\/directory/);
          await expect(resolveCheckpointPointer(`${b.base}/dir/a`, { storages })).rejects.toThrow(/Cannot find meta data file '_metadata' in directory/);
        });

        it('verifies, writes and re-checks the digest manifest with the same digests as the source', async () => {
          const rep = await verifyCheckpoint(remote(), { storages, writeManifest: true });
          expect(rep.problems).toEqual([]);
          expect(rep.ok).toBe(true);
          expect(rep.files.length).toBeGreaterThan(0);
          for (const f of rep.files) expect(f.sha256).toBe(copied.get(f.uri.slice(remote().length + 1)));
          expect(rep.metadata.sha256).toBe(copied.get('_metadata'));
          const again = await verifyCheckpoint(remote(), { storages, checkManifest: true });
          expect(again.manifestChecked).toBe(true);
          expect(again.ok).toBe(true);
        });

        it('streams every handle with bytes identical to the local copy', async () => {
          const { metadata, resolved } = await loadCheckpoint(remote(), { storages });
          const handles = streamHandles(metadata);
          expect(handles.length).toBeGreaterThan(0);
          const remoteResolver = new HandleResolver({ metadataDir: resolved.directory, open: storageOpener(storages) });
          const localResolver = storageResolver(local());
          for (const h of handles) {
            const there = await readAll(remoteResolver.resolve(h));
            const here = await readAll(localResolver.resolve(h));
            expect(sha(there)).toBe(sha(here));
          }
        });

        it('summarizes the _metadata while streaming it once: the decoded model\'s summary and digest', async () => {
          const { metadata, bytes, resolved } = await loadCheckpoint(remote(), { storages });
          const s = await summarizeCheckpoint(remote(), { storages });
          expect(s.resolved.metadataUri).toBe(resolved.metadataUri);
          expect(s.summary).toEqual(summarizeMetadata(metadata));
          expect(s.input).toEqual({ file: resolved.metadataUri, byteLength: bytes.length, sha256: sha(bytes) });
        });

        it('lists the savepoint under its parent (or refuses with Unsupported)', async () => {
          if (b.canList === false) {
            expect(await code(listCheckpoints(`${b.base}/${place.parent}`, { storages }))).toBe('Unsupported');
            return;
          }
          const deep = place.name.includes('/') && b.shallowPrefixesOnly === true;
          const parent = deep ? `${b.base}/${place.parent}/${place.name.split('/')[0]}` : `${b.base}/${place.parent}`;
          const list = await listCheckpoints(parent, { storages });
          expect(list).toHaveLength(1);
          expect(list[0]).toMatchObject({ kind: place.kind, complete: true, uri: remote() });
        });

        it('detects truncated and missing files', async () => {
          const broken = `${b.base}/broken/${fx.split('/')[1]}`;
          await copyTree(local(), broken, { ...b.options, storages });
          const rep = await verifyCheckpoint(broken, { storages });
          expect(rep.ok).toBe(true);
          const victim = [...rep.files].sort((p, q) => (q.requiredLength ?? 0) - (p.requiredLength ?? 0))[0];
          expect(victim).toBeDefined();
          const { storage, path } = await storages.locate(victim!.uri);
          await storage.write(path, new Uint8Array(3));
          const r2 = await verifyCheckpoint(broken, { storages });
          expect(r2.problems.map((p) => p.problem)).toEqual(['TooShort']);
          await storage.delete(path);
          const r3 = await verifyCheckpoint(broken, { storages });
          expect(r3.problems.map((p) => p.problem)).toEqual(['NotFound']);
        });
      });
    });
  });
}
