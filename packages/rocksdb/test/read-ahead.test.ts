import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BytesSource, ReadAheadSource, type RangedSource } from '../src/index.js';

/**
 * A real in-memory source that remembers the ranges it served; `into`: it can also read into a
 * given buffer (as local files can), and remembers the buffers it was given.
 */
function counted(bytes: Uint8Array, into = false): { source: RangedSource; reads: [number, number][]; targets: Set<ArrayBufferLike> } {
  const inner = new BytesSource(bytes, 'mem');
  const reads: [number, number][] = [];
  const targets = new Set<ArrayBufferLike>();
  const source: RangedSource = {
    name: 'mem',
    size: () => inner.size(),
    read: async (offset, length) => {
      const got = await inner.read(offset, length);
      reads.push([offset, got.length]);
      return got;
    },
  };
  if (into) {
    source.readInto = async (offset, target) => {
      targets.add(target.buffer);
      const n = await inner.readInto(offset, target);
      reads.push([offset, n]);
      return n;
    };
  }
  return { source, reads, targets };
}

describe('ReadAheadSource', () => {
  const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);

  it('fetches a whole window from a read, and answers later reads inside it from memory', async () => {
    const { source, reads } = counted(bytes);
    const ra = new ReadAheadSource(source, 300);
    expect([...(await ra.read(10, 5))]).toEqual([10, 11, 12, 13, 14]);
    expect([...(await ra.read(200, 3))]).toEqual([200, 201, 202]);
    expect(reads).toEqual([[10, 300]]);
  });

  it('stops the window at a read limit, but never short of the bytes asked for', async () => {
    const { source, reads } = counted(bytes);
    const ra = new ReadAheadSource(source, 300);
    expect((await ra.read(10, 5, 100)).length).toBe(5);
    expect((await ra.read(100, 20, 100)).length).toBe(20);
    expect(reads).toEqual([
      [10, 90],
      [100, 20],
    ]);
  });

  it('once a read continues its window, fetches the next window ahead: a sequential scan reads the file once', async () => {
    const { source, reads } = counted(bytes);
    const ra = new ReadAheadSource(source, 300);
    // blocks of 70 bytes in file order, as a table scan reads them
    for (let at = 0; at + 70 <= 1000; at += 70) expect([...(await ra.read(at, 70))]).toEqual([...bytes.subarray(at, at + 70)]);
    // the first window, then each window fetched ahead while the one before was read
    expect(reads).toEqual([
      [0, 300],
      [280, 300],
      [580, 300],
      [880, 120],
    ]);
  });

  it('fetches ahead only up to the limit', async () => {
    const { source, reads } = counted(bytes);
    const ra = new ReadAheadSource(source, 300);
    for (let at = 0; at + 50 <= 450; at += 50) await ra.read(at, 50, 450);
    expect(Math.max(...reads.map(([o, n]) => o + n))).toBe(450);
  });

  it('a read past the limit is answered in full, also when the window fetched ahead stopped there', async () => {
    const { source } = counted(bytes);
    const ra = new ReadAheadSource(source, 300);
    await ra.read(0, 100, 700);
    await ra.read(250, 100, 700); // [250, 550) read, [550, 700) fetched ahead (stopped at the limit)
    expect([...(await ra.read(540, 200, 700))]).toEqual([...bytes.subarray(540, 740)]);
  });

  it('a window fetched ahead that fails is an error of the read that needs it, never an unhandled rejection', async () => {
    const inner = new BytesSource(bytes, 'mem');
    const source: RangedSource = {
      name: 'mem',
      size: () => inner.size(),
      read: async (offset, length) => {
        if (offset >= 500) throw new Error(`disk error at ${offset}`);
        return inner.read(offset, length);
      },
    };
    const ra = new ReadAheadSource(source, 300);
    await ra.read(0, 100);
    await ra.read(250, 100); // continues the window: [250, 550) is read, [550, 850) fetched ahead
    await ra.read(540, 20).then(
      () => expect.unreachable(),
      (e: Error) => expect(e.message).toMatch(/disk error/),
    );
  });

  it('reads a long scan into a few recycled window buffers, and a released source gives them to the next one', async () => {
    const file = Uint8Array.from({ length: 40_000 }, (_, i) => (i * 7) & 0xff);
    // (a window size of its own: the pool of free windows is shared by size)
    const window = 977;
    const first = counted(file, true);
    const ra = new ReadAheadSource(first.source, window);
    for (let at = 0; at + 50 <= file.length; at += 50) expect([...(await ra.read(at, 50))]).toEqual([...file.subarray(at, at + 50)]);
    expect(first.reads.length).toBeGreaterThan(40);
    // the current window, the one read ahead, and one whose read overlapped both
    expect(first.targets.size).toBeLessThanOrEqual(3);
    ra.release();
    await new Promise((r) => setTimeout(r, 0));
    const second = counted(file, true);
    const rb = new ReadAheadSource(second.source, window);
    for (let at = 0; at + 50 <= 5000; at += 50) await rb.readWith(at, 50, undefined, (b) => expect([...b]).toEqual([...file.subarray(at, at + 50)]));
    expect([...second.targets].every((t) => first.targets.has(t))).toBe(true);
    // after a release the source reads again, correctly
    expect([...(await ra.read(100, 10))]).toEqual([...file.subarray(100, 110)]);
  });

  it('bytes read from recycled windows stay right: readers taking turns, kept results never change', async () => {
    const file = Uint8Array.from({ length: 6000 }, (_, i) => (i * 13 + 5) & 0xff);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 16, max: 700 }),
        fc.array(fc.array(fc.tuple(fc.nat(6200), fc.integer({ min: 1, max: 300 }), fc.boolean()), { minLength: 1, maxLength: 20 }), { minLength: 2, maxLength: 4 }),
        async (window, readers) => {
          const { source } = counted(file, true);
          const ra = new ReadAheadSource(source, window);
          const kept: [number, Uint8Array][] = [];
          // every reader scans (or seeks) on its own; their reads interleave at every await
          await Promise.all(
            readers.map(async (steps) => {
              let last = 0;
              for (const [jump, length, sequential] of steps) {
                const offset = sequential ? last : jump;
                const want = [...file.subarray(offset, offset + length)];
                if (sequential) await ra.readWith(offset, length, undefined, (b) => expect([...b]).toEqual(want));
                else kept.push([offset, await ra.read(offset, length)]);
                last = offset + length;
              }
            }),
          );
          for (const [offset, got] of kept) expect([...got]).toEqual([...file.subarray(offset, offset + got.length)]);
        },
      ),
      { numRuns: 200 },
    );
  });

  it.each([false, true])('answers any sequence of reads with the file\'s bytes (source reads into buffers: %s)', async (into) => {
    const file = Uint8Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 16, max: 2000 }),
        fc.array(fc.tuple(fc.nat(5200), fc.integer({ min: 1, max: 400 }), fc.boolean()), { minLength: 1, maxLength: 40 }),
        fc.option(fc.nat(5000), { nil: undefined }),
        async (window, steps, limit) => {
          const { source, reads } = counted(file, into);
          const ra = new ReadAheadSource(source, window);
          let last = 0;
          const asked = new Set<string>();
          for (const [jump, length, sequential] of steps) {
            // mostly where the last read ended (a scan), sometimes anywhere (a seek)
            const offset = sequential ? last : jump;
            const got = await ra.read(offset, length, limit);
            expect([...got]).toEqual([...file.subarray(offset, offset + length)]);
            asked.add(`${offset}+${Math.max(0, Math.min(length, file.length - offset))}`);
            last = offset + length;
          }
          // past the limit only the bytes a read itself asked for
          if (limit !== undefined) for (const [o, n] of reads) if (o + n > limit) expect(asked).toContain(`${o}+${n}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});
