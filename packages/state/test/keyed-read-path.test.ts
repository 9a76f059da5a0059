import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { ByteWriter, type KeyedStateHandle } from '@ckpt/format';
import { flattenBatches } from '../src/io/flatten.js';
import { WindowReader } from '../src/io/window-reader.js';
import { KeyedStateFile, readStringValue, writeStringValue } from '../src/index.js';
import { loadFixture, operatorByUid, versions } from './support.js';

async function* batchesOf<T>(arrays: T[][], closed: { done: boolean }): AsyncGenerator<T[], void, undefined> {
  try {
    for (const a of arrays) {
      await null;
      yield a;
    }
  } finally {
    closed.done = true;
  }
}

describe('flattenBatches', () => {
  test('yields every element of every batch in order', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(fc.integer(), { maxLength: 5 }), { maxLength: 8 }), async (arrays) => {
        const got: number[] = [];
        for await (const x of flattenBatches(batchesOf(arrays, { done: false }))) got.push(x);
        expect(got).toEqual(arrays.flat());
      }),
    );
  });

  test('break closes the batches; a failing batch rejects the next element', async () => {
    const closed = { done: false };
    for await (const x of flattenBatches(batchesOf([[1, 2], [3]], closed))) if (x === 1) break;
    expect(closed.done).toBe(true);
    async function* failing(): AsyncGenerator<number[], void, undefined> {
      yield [1];
      throw new Error('bad key group');
    }
    const it = flattenBatches(failing());
    expect(await it.next()).toEqual({ value: 1, done: false });
    await expect(it.next()).rejects.toThrow('bad key group');
    expect(await it.next()).toEqual({ value: undefined, done: true });
  });
});

describe('WindowReader', () => {
  test('reads a value inside a window of a larger array exactly as from its own bytes, and not past the window', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 8 }),
        fc.option(fc.string({ unit: 'binary', maxLength: 30 }), { nil: null }),
        fc.uint8Array({ minLength: 1, maxLength: 8 }),
        fc.nat(1000),
        (before, s, after, base) => {
          const w = new ByteWriter();
          w.raw(before);
          writeStringValue(w, s);
          w.raw(after);
          const bytes = w.finish();
          const start = before.length;
          const end = bytes.length - after.length;
          const r = new WindowReader(bytes, base).window(start, end);
          expect(readStringValue(r)).toBe(s);
          expect(r.remaining).toBe(0);
          expect(r.offset).toBe(end);
          // one byte short: the reader must stop at the window's end, not read into `after`
          const cut = new WindowReader(bytes, base).window(start, end - 1);
          expect(() => readStringValue(cut)).toThrow();
        },
      ),
    );
  });

  test('a value cut by the window fails as Truncated at a position of the whole array', () => {
    const w = new ByteWriter();
    w.raw(new Uint8Array([9, 9, 9]));
    writeStringValue(w, 'key-17');
    const bytes = w.finish();
    const r = new WindowReader(bytes, 100).window(3, bytes.length - 2);
    expect(() => readStringValue(r)).toThrow(expect.objectContaining({ code: 'Truncated', offset: 104 }));
  });
});

describe('canonical key groups decoded in place', () => {
  const version = versions().at(-1);
  const f = version ? loadFixture(version, 'keyed-hashmap-savepoint') : undefined;
  test.skipIf(!f)('every key group gives one entry per raw pair, in the same order and state', async () => {
    const op = operatorByUid(f!, 'keyed');
    let pairs = 0;
    for (const s of op.subtasks) {
      const h = s.managedKeyedState as (KeyedStateHandle & { delegate: never }) | null;
      if (!h) continue;
      const kf = await KeyedStateFile.open(h, f!.resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
      const names = kf.header.states.map((st) => st.name);
      const decoded = new Map<number, string[]>();
      for await (const group of kf.keyGroupEntries()) decoded.set(group[0]!.keyGroup, group.map((e) => e.state));
      for await (const raw of kf.rawKeyGroups()) {
        expect(decoded.get(raw.keyGroup)).toEqual(raw.entries.map((e) => names[e.stateId]));
        pairs += raw.entries.length;
      }
      expect([...decoded.keys()]).toEqual(kf.keyGroups());
    }
    expect(pairs).toBeGreaterThan(0);
  });
});
