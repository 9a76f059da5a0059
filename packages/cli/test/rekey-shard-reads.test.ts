import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rekeySavepoint, type RekeyOptions } from '@ckpt/state/node';
import { findMetadata } from '../../format/test/support/generated.js';
import { relocatedFixture } from './support/relocated.js';
import { RecordingStorages, type ReadRecord } from './support/read-log.js';
import { ByteRanges, keyGroupLayout, type KeyGroupRegion, type KeyGroupSpan } from './support/key-group-layout.js';

// `rekey --shard i/n` reads only the byte ranges its key groups need: every read the storage
// driver serves is recorded (a real fs driver wrapped by a recording one), and laid against where
// each key group's entries lie in the input's files — SST data blocks through their index,
// canonical key groups through their handle's offsets — worked out from the formats.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (scenario: string) => join(root, 'fixtures/generated/2.3.0', scenario);
const ready = existsSync(fixture('keyed-rocksdb-incremental-checkpoint'));
if (!ready) console.log('fixtures/generated/2.3.0 missing: shard read-range tests skipped');

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * The old key groups (max parallelism `from`) whose entries can land in the new key groups
 * `wanted` (max parallelism `to`): a key's key group is murmur(hash) mod max parallelism, so its
 * old and new key groups are congruent modulo gcd(from, to).
 */
function neededOld(from: number, to: number, wanted: KeyGroupSpan[]): Set<number> {
  const d = gcd(from, to);
  const residues = new Set<number>();
  for (const w of wanted) for (let g = w.start; g <= w.end; g++) residues.add(g % d);
  const out = new Set<number>();
  for (let k = 0; k < from; k++) if (residues.has(k % d)) out.add(k);
  return out;
}

function intersects(span: KeyGroupSpan, need: Set<number>): boolean {
  for (let g = span.start; g <= span.end; g++) if (need.has(g)) return true;
  return false;
}

/** The byte ranges read, per driver key. */
function rangesOf(reads: ReadRecord[], size: (key: string) => number): Map<string, ByteRanges> {
  const out = new Map<string, ByteRanges>();
  for (const r of reads) {
    let b = out.get(r.key);
    if (!b) out.set(r.key, (b = new ByteRanges()));
    b.add(r.offset, r.length === undefined ? size(r.key) : r.offset + r.length);
  }
  return out;
}

/** Reads that touch a key group's bytes although `need` holds none of its key groups. */
function foreignReads(reads: ReadRecord[], layout: Map<string, KeyGroupRegion[]>, need: Set<number>, size: (key: string) => number): string[] {
  const bad: string[] = [];
  for (const r of reads) {
    const end = r.length === undefined ? size(r.key) : r.offset + r.length;
    for (const reg of layout.get(r.key) ?? []) {
      if (Math.min(end, reg.end) > Math.max(r.offset, reg.start) && !intersects(reg.keyGroups, need)) {
        bad.push(`${r.key} [${r.offset}, ${end}) reads [${reg.start}, ${reg.end}) of key groups ${reg.keyGroups.start}-${reg.keyGroups.end}`);
      }
    }
  }
  return bad;
}

/** Bytes of key-group regions (not headers or meta blocks) covered by `ranges`. */
function keyGroupBytes(ranges: Map<string, ByteRanges>, layout: Map<string, KeyGroupRegion[]>): number {
  let n = 0;
  for (const [key, regs] of layout) {
    const b = ranges.get(key);
    if (b) for (const reg of regs) n += b.overlap(reg.start, reg.end);
  }
  return n;
}

interface Case {
  name: string;
  input: () => Promise<string>;
  opts: Omit<RekeyOptions, 'out' | 'shard' | 'storages'>;
  shards: number;
}

async function runCase(c: Case) {
  const input = await c.input();
  const metadataFile = findMetadata(input) ?? join(input, '_metadata');
  const layout = await keyGroupLayout(metadataFile, 'keyed');
  const sizes = new Map<string, number>();
  const size = (key: string) => {
    let s = sizes.get(key);
    if (s === undefined) sizes.set(key, (s = readFileSync(`/${key}`).length));
    return s;
  };
  const work = mkdtempSync(join(tmpdir(), 'ckpt-shard-reads-'));
  const whole = new RecordingStorages();
  await rekeySavepoint(input, { ...c.opts, out: join(work, 'whole'), storages: whole });
  const shards = [];
  for (let i = 0; i < c.shards; i++) {
    const storages = new RecordingStorages();
    const out = join(work, `shard-${i}`);
    await rekeySavepoint(input, { ...c.opts, out, shard: { index: i, count: c.shards }, storages });
    const manifest = JSON.parse(readFileSync(join(out, '_shard.json'), 'utf8')) as { parts: { start: number; count: number }[] };
    const wanted = manifest.parts.map((p) => ({ start: p.start, end: p.start + p.count - 1 }));
    shards.push({ reads: storages.reads, wanted });
  }
  return { layout, size, whole: whole.reads, shards };
}

/** Per key-group region, how many of the shards need it. */
function regionNeeds(layout: Map<string, KeyGroupRegion[]>, needs: Set<number>[]): Map<KeyGroupRegion, number> {
  const out = new Map<KeyGroupRegion, number>();
  for (const regs of layout.values()) for (const reg of regs) out.set(reg, needs.filter((n) => intersects(reg.keyGroups, n)).length);
  return out;
}

/** Key-group bytes of every read, repeats counted. */
function rawKeyGroupBytes(reads: ReadRecord[], layout: Map<string, KeyGroupRegion[]>, size: (key: string) => number): number {
  let n = 0;
  for (const r of reads) {
    const end = r.length === undefined ? size(r.key) : r.offset + r.length;
    for (const reg of layout.get(r.key) ?? []) n += Math.max(0, Math.min(end, reg.end) - Math.max(r.offset, reg.start));
  }
  return n;
}

describe.skipIf(!ready)('rekey --shard i/n reads only the byte ranges of its key groups', () => {
  const cases: Case[] = [
    {
      name: 'a RocksDB incremental checkpoint (relocated), plain conversion to parallelism 4 in 4 shards',
      input: () => relocatedFixture(fixture('keyed-rocksdb-incremental-checkpoint')),
      opts: { parallelism: 4 },
      shards: 4,
    },
    {
      name: 'a RocksDB native savepoint re-keyed 128 → 256 at parallelism 4 in 4 shards',
      input: async () => fixture('keyed-rocksdb-native-savepoint'),
      opts: { parallelism: 4, maxParallelism: 256 },
      shards: 4,
    },
    {
      name: 'a canonical (HashMap) savepoint, plain conversion to parallelism 4 in 3 shards',
      input: async () => fixture('keyed-hashmap-savepoint'),
      opts: { parallelism: 4 },
      shards: 3,
    },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const r = await runCase(c);
      const to = c.opts.maxParallelism ?? 128;
      const needs = r.shards.map((s) => neededOld(128, to, s.wanted));
      const union = new Map<string, ByteRanges>();
      let sumRaw = 0;
      for (const [i, s] of r.shards.entries()) {
        // no read touches a key group (SST data block, canonical key group) the shard does not need
        expect(foreignReads(s.reads, r.layout, needs[i]!, r.size), `shard ${i}/${c.shards}`).toEqual([]);
        for (const rd of s.reads) {
          let b = union.get(rd.key);
          if (!b) union.set(rd.key, (b = new ByteRanges()));
          b.add(rd.offset, rd.length === undefined ? r.size(rd.key) : rd.offset + rd.length);
        }
        sumRaw += rawKeyGroupBytes(s.reads, r.layout, r.size);
      }
      // the check can fail: the reads of each shard that read key-group bytes break it against another shard's key groups
      const readers = r.shards.map((s, i) => ({ s, i })).filter(({ s }) => rawKeyGroupBytes(s.reads, r.layout, r.size) > 0);
      expect(readers.length).toBeGreaterThan(1);
      for (const { s, i } of readers) {
        expect(needs.some((n, j) => j !== i && foreignReads(s.reads, r.layout, n, r.size).length > 0), `shard ${i}`).toBe(true);
      }
      // the shards together read no key-group bytes one whole run does not read: what they read
      // beyond it is headers, indexes and meta blocks (read once per shard)
      const whole = rangesOf(r.whole, r.size);
      for (const [key, regs] of r.layout) {
        for (const reg of regs) expect(union.get(key)?.overlap(reg.start, reg.end) ?? 0, `${key} [${reg.start}, ${reg.end})`).toBeLessThanOrEqual(whole.get(key)?.overlap(reg.start, reg.end) ?? 0);
      }
      // and each key-group region at most once per shard that needs it (no re-reads)
      let bound = 0;
      for (const [reg, k] of regionNeeds(r.layout, needs)) bound += k * (reg.end - reg.start);
      expect(sumRaw).toBeLessThanOrEqual(bound);
      expect(keyGroupBytes(union, r.layout)).toBe(keyGroupBytes(whole, r.layout));
    }, 120_000);
  }
});

// The 10^6-entry incremental checkpoint bench/keyed.mjs has Flink write (16 MiB, SSTs of many
// data blocks): `CKPT_SHARD_READS_BIG=1` once bench/out holds it (≈ 1 minute). A shard's scan of
// an SST reads 256 KiB windows from the first block it needs, clipped at the end of the last block
// its key range can reach (found through the index), so it reads no data block of key groups it
// does not need — only headers, index, filter and meta blocks besides its own (and the block
// before its first one, when the index cannot rule that block out). Before the clip
// (2026-12-03, 4 shards), shards 0 and 2 read 471 / 477 KB of foreign key groups (of 4.19 MB each).
const big = join(root, 'bench/out/keyed-bench-rocksdb-incremental');
describe.skipIf(process.env.CKPT_SHARD_READS_BIG !== '1' || !existsSync(join(big, 'stamp')))('rekey --shard i/n on 10^6 entries', () => {
  it('reads no data block of key groups it does not need', async () => {
    const c: Case = { name: 'big', input: () => relocatedFixture(big), opts: { parallelism: 4 }, shards: 4 };
    const r = await runCase(c);
    const needs = r.shards.map((s) => neededOld(128, 128, s.wanted));
    for (const [i, s] of r.shards.entries()) {
      // The one foreign block a scan must read: the block before its first one, when the index's
      // separator there (a shortened key, e.g. the bare key-group byte) sorts ≥ the range's start —
      // only the block's keys tell that none of them is in range. Every other foreign byte is a defect.
      const bounding = new Set<KeyGroupRegion>();
      for (const regs of r.layout.values()) {
        for (const [k, reg] of regs.entries()) {
          const next = regs[k + 1];
          if (next !== undefined && next.start === reg.end && !intersects(reg.keyGroups, needs[i]!) && intersects(next.keyGroups, needs[i]!)) bounding.add(reg);
        }
      }
      const foreign = new Map<string, ByteRanges>();
      for (const rd of s.reads) {
        const end = rd.length === undefined ? r.size(rd.key) : rd.offset + rd.length;
        for (const reg of r.layout.get(rd.key) ?? []) {
          if (bounding.has(reg) || intersects(reg.keyGroups, needs[i]!) || Math.min(end, reg.end) <= Math.max(rd.offset, reg.start)) continue;
          let b = foreign.get(rd.key);
          if (!b) foreign.set(rd.key, (b = new ByteRanges()));
          b.add(Math.max(rd.offset, reg.start), Math.min(end, reg.end));
        }
      }
      const extra = [...foreign.values()].reduce((n, b) => n + b.bytes, 0);
      const all = keyGroupBytes(rangesOf(s.reads, r.size), r.layout);
      console.log(`shard ${i}/4: ${all} key-group bytes read, ${extra} of them of key groups it does not need, in ${foreign.size} SSTs`);
      expect(extra, `shard ${i}: ${[...foreign.keys()].join(', ')}`).toBe(0);
      expect(all).toBeGreaterThan(0);
    }
  }, 600_000);
});
