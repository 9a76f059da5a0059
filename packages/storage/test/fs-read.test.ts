import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readdirSync } from 'node:fs';
import { appendFile, mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorage, Storages, StorageSource, type Storage } from '../src/index.js';

/** The fs driver's read path: 1 MiB chunks, several reads in flight, pipes, files that shrink or grow. */
const MiB = 1024 * 1024;
const data = randomBytes(3 * MiB + 12_345);
let dir = '';
let s: Storage;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ckpt-fs-read-'));
  s = await openStorage(dir);
});
afterAll(async () => {
  await s.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function chunksOf(src: AsyncIterable<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const c of src) out.push(c);
  return out;
}

const joined = (cs: Uint8Array[]): Buffer => Buffer.concat(cs);

describe('fs driver reads', () => {
  it('any range of any file size comes back exactly, in chunks of at most 1 MiB that are never reused', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: data.length }),
        fc.nat(data.length + 10),
        fc.option(fc.nat(data.length + 10), { nil: undefined }),
        async (size, offset, length) => {
          const name = `p${n++}.bin`;
          const body = data.subarray(0, size);
          await writeFile(join(dir, name), body);
          const want = body.subarray(Math.min(offset, size), length === undefined ? size : Math.min(size, offset + length));
          // the driver itself: ranges past the end are cut at the end (Storage turns that into Corrupt)
          const cs = await chunksOf(await s.driver.read(s.key(name), offset, length));
          expect(cs.every((c) => c.length > 0 && c.length <= MiB)).toBe(true);
          const copies = cs.map((c) => Buffer.from(c));
          expect(joined(cs).equals(want)).toBe(true);
          // chunks handed out stay intact (fresh buffers, not a reused one)
          expect(cs.every((c, i) => Buffer.from(c).equals(copies[i]!))).toBe(true);
          await rm(join(dir, name));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('transient reads: the same bytes, each chunk copied when it comes, from a few recycled buffers', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: data.length }), fc.nat(data.length + 10), async (size, offset) => {
        const name = `t${n++}.bin`;
        const body = data.subarray(0, size);
        await writeFile(join(dir, name), body);
        const copies: Buffer[] = [];
        const memories = new Set<ArrayBufferLike>();
        for await (const c of s.read(name, { offset, transient: true })) {
          copies.push(Buffer.from(c)); // a transient consumer copies (or hashes) before asking for more
          memories.add(c.buffer);
        }
        expect(joined(copies).equals(body.subarray(Math.min(offset, size)))).toBe(true);
        // 256 KiB chunks read into at most in-flight + 1 buffers, whatever the file size
        expect(copies.every((c) => c.length <= 256 * 1024)).toBe(true);
        expect(memories.size).toBeLessThanOrEqual(4);
        if (copies.length > 4) expect(memories.size).toBeLessThan(copies.length);
        await rm(join(dir, name));
      }),
      { numRuns: 30 },
    );
  });

  it('reads into a given buffer in place: any range, the bytes where they belong, no buffer of its own', async () => {
    let n = 0;
    const storages = new Storages();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: data.length }), fc.nat(data.length + 10), fc.integer({ min: 1, max: 2 * MiB }), async (size, offset, room) => {
        const name = `i${n++}.bin`;
        const body = data.subarray(0, size);
        await writeFile(join(dir, name), body);
        const want = body.subarray(Math.min(offset, size), Math.min(size, offset + room));
        // Storage: every chunk the driver yields is a view of the target, in order
        if (want.length > 0) {
          const target = new Uint8Array(want.length + 3).fill(0xee);
          let at = 0;
          for await (const c of s.read(name, { offset, length: want.length, into: target, transient: true })) {
            expect(c.buffer).toBe(target.buffer);
            expect(c.byteOffset).toBe(at);
            at += c.length;
          }
          expect(Buffer.from(target.subarray(0, want.length)).equals(want)).toBe(true);
          expect([...target.subarray(want.length)]).toEqual([0xee, 0xee, 0xee]);
        }
        // a source: fewer bytes only at the end of the file, the rest of the target untouched
        const target = new Uint8Array(room).fill(0xee);
        const got = await new StorageSource(storages, join(dir, name)).readInto(offset, target);
        expect(got).toBe(want.length);
        expect(Buffer.from(target.subarray(0, got)).equals(want)).toBe(true);
        expect(target.subarray(got).every((b) => b === 0xee)).toBe(true);
        await rm(join(dir, name));
      }),
      { numRuns: 30 },
    );
    await storages.close();
  });

  it('a file that shrank after opening ends where the file ends, without skipping bytes', async () => {
    for (const cut of [0, 1, MiB - 1, MiB, MiB + 1, 2 * MiB + 777]) {
      await writeFile(join(dir, 'shrink.bin'), data);
      const stream = await s.driver.read(s.key('shrink.bin'), 0, undefined); // size taken here: the whole file
      await truncate(join(dir, 'shrink.bin'), cut);
      expect(joined(await chunksOf(stream)).equals(data.subarray(0, cut))).toBe(true);
      // through Storage, a length that the file no longer has is Corrupt
      await expect(s.readRange('shrink.bin', 0, data.length)).rejects.toMatchObject({ code: 'Corrupt' });
    }
  });

  it('a file that grew after opening is read to its new end', async () => {
    for (const first of [0, 5, MiB, 2 * MiB + 1]) {
      await writeFile(join(dir, 'grow.bin'), data.subarray(0, first));
      const stream = await s.driver.read(s.key('grow.bin'), 0, undefined);
      await appendFile(join(dir, 'grow.bin'), data.subarray(first));
      expect(joined(await chunksOf(stream)).equals(data)).toBe(true);
    }
  });

  it('reads files whose size says 0 (procfs) to their end', async () => {
    const proc = await openStorage('/proc/self');
    expect(Buffer.from(await proc.readRange('status')).toString('latin1')).toMatch(/^Name:.*\n[^]*\nPid:\s+\d+\n/);
  });

  it('stopping early closes the file', async () => {
    await writeFile(join(dir, 'stop.bin'), data);
    const fds = (): number => readdirSync('/proc/self/fd').length;
    const before = fds();
    for (let i = 0; i < 5; i++) {
      for await (const c of s.read('stop.bin')) {
        expect(c.length).toBe(MiB);
        break;
      }
    }
    expect(fds()).toBe(before);
  });

  it('reads a named pipe to its end, from an offset too', async () => {
    for (const [offset, length] of [[0, undefined], [1000, undefined], [MiB + 5, 70_000]] as const) {
      const fifo = join(dir, `fifo${offset}`);
      expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
      const writer = createWriteStream(fifo);
      // a reader that stops early closes the pipe: the writer then sees EPIPE
      const wrote = new Promise<void>((resolve, reject) => {
        writer.on('close', () => resolve());
        writer.on('error', (e: NodeJS.ErrnoException) => (length !== undefined && e.code === 'EPIPE' ? resolve() : reject(e)));
      });
      writer.end(data);
      const got = await s.readRange(`fifo${offset}`, offset, length);
      await wrote;
      expect(Buffer.from(got).equals(data.subarray(offset, length === undefined ? undefined : offset + length))).toBe(true);
    }
  });
});
