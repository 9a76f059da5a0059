/**
 * Bad input (issue 16 item 7): every prefix of real SSTs, single-byte flips and random garbage
 * give a typed RocksError with the file and a numeric offset — or, for a flip in bytes no checksum
 * covers (padding, a block's compression type that still decodes…), a result. Never another
 * exception, a hang or a huge allocation.
 */
import { readFileSync, statSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BytesSource, RocksError, SstTable, tableEntries } from '@ckpt/rocksdb';
import { CORPUS_DIR, GENERATED_DIR, findSsts } from './oracle/corpus.js';

/** A few real SSTs: the largest fixtures (always in the repo) and corpus files (if present). */
function sample(): string[] {
  const bySize = (files: string[]) => files.map((f) => [f, statSync(f).size] as const).sort((a, b) => b[1] - a[1]);
  const gen = bySize(findSsts(GENERATED_DIR));
  const corpus = bySize(findSsts(CORPUS_DIR));
  const picks = [gen[0], gen[Math.floor(gen.length / 2)], corpus[0], corpus[Math.floor(corpus.length / 3)]];
  return [...new Set(picks.filter((p) => p !== undefined).map((p) => p![0]))];
}

const FILES = sample();
/** Per-input bound: reading a small SST (even a damaged one) takes milliseconds. */
const MAX_MS = 2_000;
/** Blocks of these files are a few KB; a damaged size field may not make us allocate more. */
const MAX_BLOCK = 4 * 1024 * 1024;

type Outcome = { ok: true; entries: number } | { ok: false; error: RocksError };

/** Opens and scans `bytes`; returns the entry count or the typed error, rethrows anything else. */
async function read(bytes: Uint8Array, name: string, verifyChecksums = true): Promise<Outcome> {
  const started = performance.now();
  try {
    const table = await SstTable.open(new BytesSource(bytes, name), { maxBlockBytes: MAX_BLOCK, verifyChecksums });
    let entries = 0;
    for await (const _ of tableEntries(table)) entries++;
    return { ok: true, entries };
  } catch (e) {
    if (!(e instanceof RocksError)) throw new Error(`${name}: not a RocksError: ${String(e)}`, { cause: e });
    return { ok: false, error: e };
  } finally {
    const ms = performance.now() - started;
    if (ms > MAX_MS) throw new Error(`${name}: reading took ${ms.toFixed(0)} ms`);
  }
}

function expectTyped(o: Outcome, name: string): void {
  if (o.ok) return;
  expect(o.error.file, o.error.message).toBe(name);
  expect(typeof o.error.offset, o.error.message).toBe('number');
}

/** Prefix lengths: every one in the last 100 bytes, ~60 spread over the rest. */
function prefixLengths(size: number): number[] {
  const out = new Set<number>([0, 1, 8, 47, 48, 52, 53]);
  const stride = Math.max(1, Math.floor(size / 60));
  for (let n = 0; n < size - 100; n += stride) out.add(n);
  for (let n = Math.max(0, size - 100); n < size; n++) out.add(n);
  return [...out].filter((n) => n < size).sort((a, b) => a - b);
}

describe('bad SST input', () => {
  it('has real SSTs to damage', () => {
    expect(FILES.length).toBeGreaterThanOrEqual(2);
  });

  it.each(FILES)('every sampled prefix of %s is a typed error', async (file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const whole = await read(bytes, file);
    expect(whole.ok).toBe(true);
    for (const n of prefixLengths(bytes.length)) {
      const name = `${file}[0,${n})`;
      const o = await read(bytes.slice(0, n), name);
      expect(o.ok, `${name} read as a table`).toBe(false);
      expectTyped(o, name);
    }
  });

  it.each(FILES)('single-byte flips of %s are typed errors or results', async (file) => {
    const bytes = new Uint8Array(readFileSync(file));
    const errors = new Map<string, number>();
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, xor) => {
        const copy = bytes.slice();
        copy[at]! ^= xor;
        const name = `${file}^${at}`;
        const o = await read(copy, name);
        expectTyped(o, name);
        if (!o.ok) errors.set(o.error.code, (errors.get(o.error.code) ?? 0) + 1);
      }),
      { numRuns: 300, seed: 16 },
    );
    expect(errors.get('BadChecksum') ?? 0).toBeGreaterThan(0);
  });

  it.each(FILES)('with checksums off, byte flips and overwrites of %s reach the block parsers: typed errors or results', async (file) => {
    const bytes = new Uint8Array(readFileSync(file));
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat({ max: bytes.length - 1 }), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }), async (edits) => {
        const copy = bytes.slice();
        for (const [at, v] of edits) copy[at] = v;
        const name = `${file}~${edits.map(([a, v]) => `${a}=${v}`).join(',')}`;
        expectTyped(await read(copy, name, false), name);
      }),
      { numRuns: 400, seed: 3 },
    );
  });

  it('flips in the footer and the last blocks (metaindex, properties, index) are typed errors or results', async () => {
    const file = FILES[0]!;
    const bytes = new Uint8Array(readFileSync(file));
    const tail = Math.min(bytes.length, 400);
    for (let at = bytes.length - tail; at < bytes.length; at++) {
      for (const xor of [0x01, 0x80, 0xff]) {
        const copy = bytes.slice();
        copy[at]! ^= xor;
        expectTyped(await read(copy, `${file}^${at}`), `${file}^${at}`);
      }
    }
  });

  it('random garbage, with and without a block-based footer magic, is a typed error', async () => {
    const magic = Uint8Array.of(0xf7, 0xcf, 0xf4, 0x85, 0xb7, 0x41, 0xe2, 0x88);
    const legacy = Uint8Array.of(0x57, 0xfb, 0x80, 0x8b, 0x24, 0x75, 0x47, 0xdb);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.constantFrom('none', 'magic', 'legacy', 'fv5'), async (garbage, tail) => {
        let bytes = garbage;
        if (tail !== 'none') {
          const t = tail === 'legacy' ? legacy : magic;
          bytes = new Uint8Array(garbage.length + 8);
          bytes.set(garbage);
          bytes.set(t, garbage.length);
          // a plausible format_version in front of the magic
          if (tail === 'fv5' && garbage.length >= 4) bytes.set([5, 0, 0, 0], garbage.length - 4);
        }
        const o = await read(bytes, 'garbage.sst');
        expectTyped(o, 'garbage.sst');
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});
