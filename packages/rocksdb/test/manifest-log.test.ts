// The log reader on logs framed by a test-only writer: random record lengths across block
// boundaries, odd record types, checksum failures, truncation.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RocksError } from '../src/errors.js';
import { BytesSource, type RangedSource } from '../src/source.js';
import { LOG_BLOCK_SIZE, readLogRecords, type LogReaderOptions } from '../src/manifest/index.js';
import { TestLogWriter } from './manifest-support.js';

async function all(bytes: Uint8Array, options: LogReaderOptions = {}): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for await (const r of readLogRecords(new BytesSource(bytes, 'log'), options)) out.push(r.data);
  return out;
}

async function error(bytes: Uint8Array, options: LogReaderOptions = {}): Promise<RocksError> {
  const e = await all(bytes, options).then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(RocksError);
  return e as RocksError;
}

function fill(n: number, seed: number): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (i * 31 + seed) & 0xff;
  return b;
}

/** Hex digests instead of deep equality: vitest's toEqual is slow on large byte arrays. */
const same = (a: Uint8Array[]) => a.map((b) => `${b.length}:${Buffer.from(b).toString('base64')}`);

describe('log reader', () => {
  it('reads back records of random lengths written across block boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.nat(40), fc.nat(3 * LOG_BLOCK_SIZE), fc.constantFrom(LOG_BLOCK_SIZE - 7, LOG_BLOCK_SIZE - 13)), { maxLength: 12 }), async (lengths) => {
        const records = lengths.map((n, i) => fill(n, i));
        const w = new TestLogWriter();
        for (const r of records) w.add(r);
        expect(same(await all(w.bytes()))).toEqual(same(records));
      }),
      { numRuns: 60 },
    );
  });

  it('reads block by block: never more than one block per read', async () => {
    const w = new TestLogWriter();
    for (let i = 0; i < 5; i++) w.add(fill(50_000, i));
    const bytes = w.bytes();
    const reads: number[] = [];
    const src: RangedSource = {
      name: 'counted',
      size: () => Promise.resolve(bytes.length),
      read: (o, n) => {
        reads.push(n);
        return Promise.resolve(bytes.subarray(o, o + n));
      },
    };
    let n = 0;
    for await (const r of readLogRecords(src)) expect(Buffer.from(r.data).equals(fill(50_000, n++))).toBe(true);
    expect(n).toBe(5);
    expect(Math.max(...reads)).toBeLessThanOrEqual(LOG_BLOCK_SIZE);
  });

  it('reports a checksum mismatch with file and offset', async () => {
    const bytes = new TestLogWriter().add(fill(100, 1)).add(fill(100, 2)).bytes();
    bytes[107 + 50]! ^= 1;
    const e = await error(bytes);
    expect(e.code).toBe('BadChecksum');
    expect(e.file).toBe('log');
    expect(e.offset).toBe(107);
  });

  it('a truncated tail is an error, or dropped with tolerateTruncatedTail', async () => {
    const records = [fill(10, 1), fill(40_000, 2)];
    const w = new TestLogWriter();
    for (const r of records) w.add(r);
    const bytes = w.bytes();
    for (const cut of [17 + 3, 17 + 7 + 100, 32768 + 3, bytes.length - 1]) {
      expect((await error(bytes.subarray(0, cut))).code).toBe('Truncated');
      expect(await all(bytes.subarray(0, cut), { tolerateTruncatedTail: true })).toEqual([records[0]]);
    }
    expect(await all(bytes.subarray(0, 17))).toEqual([records[0]]);
  });

  it('skips ignorable and WAL-only record types, refuses unknown and misplaced ones', async () => {
    const ok = new TestLogWriter().raw(9, new Uint8Array(4)).raw(10, new Uint8Array(6)).add(fill(5, 1)).raw(130, fill(3, 0)).raw(200, fill(3, 0)).add(fill(5, 2));
    expect(await all(ok.bytes())).toEqual([fill(5, 1), fill(5, 2)]);
    expect((await error(new TestLogWriter().raw(12, fill(3, 0)).bytes())).code).toBe('BadRecord');
    expect((await error(new TestLogWriter().raw(3, fill(3, 0)).bytes())).code).toBe('BadRecord');
    expect((await error(new TestLogWriter().raw(2, fill(3, 0)).raw(1, fill(3, 0)).bytes())).code).toBe('BadRecord');
    expect((await error(new TestLogWriter().add(fill(5, 1)).raw(9, new Uint8Array(4)).bytes())).code).toBe('BadRecord');
    expect((await error(new TestLogWriter().raw(9, Uint8Array.of(1, 0, 0, 0)).bytes())).code).toBe('Unsupported');
    expect((await error(new TestLogWriter().raw(0, fill(3, 0)).bytes())).code).toBe('BadRecord');
  });

  it('treats zero-filled (preallocated) space as the end of the block', async () => {
    const w = new TestLogWriter().add(fill(20, 1)).bytes();
    const padded = new Uint8Array(LOG_BLOCK_SIZE + w.length);
    padded.set(w);
    padded.set(w, LOG_BLOCK_SIZE);
    expect(await all(padded)).toEqual([fill(20, 1), fill(20, 1)]);
  });

  it('a record length past its block is a bad record', async () => {
    const bytes = new Uint8Array(LOG_BLOCK_SIZE + 10);
    bytes[4] = 0xff;
    bytes[5] = 0xff;
    bytes[6] = 1;
    expect((await error(bytes)).code).toBe('BadRecord');
  });
});
