import { describe, expect, it } from 'vitest';
import { BytesSource, ReadAheadSource, type RangedSource } from '../src/index.js';

/** A real in-memory source that remembers the ranges it served. */
function counted(bytes: Uint8Array): { source: RangedSource; reads: [number, number][] } {
  const inner = new BytesSource(bytes, 'mem');
  const reads: [number, number][] = [];
  const source: RangedSource = {
    name: 'mem',
    size: () => inner.size(),
    read: async (offset, length) => {
      const got = await inner.read(offset, length);
      reads.push([offset, got.length]);
      return got;
    },
  };
  return { source, reads };
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
});
