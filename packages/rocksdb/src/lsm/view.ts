import { RocksError } from '../errors.js';
import { entryType, seekKey, sequenceOf, ValueType } from '../internal-key.js';
import { rangeTombstones, type RangeTombstone } from '../sst/scan.js';
import type { SstTable } from '../sst/table.js';
import { TableIterator } from '../sst/table-iterator.js';
import { MergingIterator } from './merging-iterator.js';
import { mergeFunctionFor, type MergeFunction } from './merge-operators.js';
import { TombstoneMap } from './range-tombstones.js';
import { PackedPairs } from './packed-pairs.js';

/** A live key of the LSM view and its value. */
export interface KeyValue {
  key: Uint8Array;
  value: Uint8Array;
}

export interface LsmViewOptions {
  /**
   * Combines merge operands. Default: the function for the merge operator the tables' properties
   * name (string append for RocksDB's and Flink's), else merge operands are an `Unsupported` error.
   */
  merge?: MergeFunction;
}

/** A user-key range: `start` inclusive, `end` exclusive; either may be absent. */
export interface KeyRange {
  start?: Uint8Array;
  end?: Uint8Array;
}

/**
 * What RocksDB's iterator shows for one column family over a set of tables: a streaming merge in
 * user-key order where the newest sequence number wins, point deletions and range tombstones hide
 * what they cover, and merge operands are combined by the merge function. Memory is one open data
 * block per table plus the range tombstones, whatever the size of the state.
 */
export class LsmView {
  private tombstones: TombstoneMap | undefined;
  private readonly merge: MergeFunction | undefined;

  constructor(
    readonly tables: readonly SstTable[],
    options: LsmViewOptions = {},
  ) {
    this.merge = options.merge ?? mergeFunctionFor(tables.find((t) => t.properties.mergeOperator)?.properties.mergeOperator);
  }

  /** The fragmented range tombstones of all tables (read once). */
  async rangeTombstones(): Promise<TombstoneMap> {
    if (this.tombstones === undefined) {
      const all: RangeTombstone[] = [];
      for (const t of this.tables) all.push(...(await rangeTombstones(t)));
      this.tombstones = new TombstoneMap(all);
    }
    return this.tombstones;
  }

  /** The value of one user key, or undefined when it is absent. */
  async get(key: Uint8Array): Promise<Uint8Array | undefined> {
    const end = new Uint8Array(key.length + 1);
    end.set(key);
    for await (const kv of this.scan({ start: key, end })) return kv.value;
    return undefined;
  }

  /** The live keys in `range` (all by default), in user-key order. */
  async *scan(range: KeyRange = {}): AsyncGenerator<KeyValue> {
    for await (const batch of this.scanBatches(range)) yield* batch;
  }

  /**
   * The same keys as {@link scan}, up to `batchSize` at a time: one promise per batch (or per block
   * read) instead of one per key.
   */
  async *scanBatches(range: KeyRange = {}, batchSize = 256): AsyncGenerator<KeyValue[]> {
    for await (const packed of this.scanPacked(range, { pairs: batchSize })) {
      const batch = new Array<KeyValue>(packed.count);
      for (let i = 0; i < packed.count; i++) batch[i] = { key: packed.key(i), value: packed.value(i) };
      yield batch;
    }
  }

  /**
   * The same keys as {@link scan}, packed into buffers of about `bytes` bytes or `pairs` pairs
   * (a new {@link PackedPairs} each time; the caller may keep them). Keys and values are copied
   * straight from the blocks: no object per key — the fast way to consume the view.
   */
  async *scanPacked(range: KeyRange = {}, size: { bytes?: number; pairs?: number } = {}): AsyncGenerator<PackedPairs> {
    // small batches: they are garbage soon, and young garbage is cheap (memory stays flat)
    const maxBytes = size.bytes ?? 16 * 1024;
    const maxPairs = size.pairs ?? 512;
    const tombstones = await this.rangeTombstones();
    const hasTombstones = tombstones.size > 0;
    const iterators = this.tables.map((t) => new TableIterator(t));
    if (range.end !== undefined) {
      const upper = seekKey(range.end);
      await Promise.all(iterators.map((it) => it.limitTo(upper)));
    }
    const merging = new MergingIterator(iterators);
    let ok = range.start === undefined ? await merging.seekToFirst() : await merging.seek(seekKey(range.start));
    const end = range.end;
    let out = new PackedPairs(maxBytes + 1024, maxPairs);
    while (ok) {
      // the user key, copied into place
      const top = merging.top;
      const ks = out.used;
      const ul = top.keyLength - 8;
      out.reserve(ul);
      copyBytes(top.keyBytes, 0, ul, out.bytes, ks);
      out.used += ul;
      if (end !== undefined && compareAt(out.bytes, ks, ul, end) >= 0) break;
      // (no BigInt on the common path: sequence numbers matter only under range tombstones)
      const covering = hasTombstones ? tombstones.coveringSeq(out.bytes.subarray(ks, ks + ul)) : undefined;
      let operands: Uint8Array[] | undefined;
      let base: Uint8Array | undefined;
      let put = false;
      let decided = false;
      let deleted = false;
      // Versions of this user key, newest first.
      while (ok) {
        const it = merging.top;
        const kb = it.keyBytes;
        const kl = it.keyLength;
        if (kl - 8 !== ul || !sameBytesAt(kb, out.bytes, ks, ul)) break;
        if (!decided) {
          const code = kb[kl - 8]!;
          if (covering !== undefined && covering > sequenceOf(it.key())) {
            decided = true;
            deleted = operands === undefined;
          } else if (code === ValueType.value) {
            decided = true;
            if (operands === undefined) {
              // the common case: the newest version is a put — its value goes straight into place
              const vl = it.valueLength;
              out.reserve(vl);
              it.copyValue(out.bytes, out.used);
              out.used += vl;
              put = true;
            } else base = it.value();
          } else if (code === ValueType.merge) {
            (operands ??= []).push(it.value());
          } else {
            const type = entryType(code, it.table.name, it.entryOffset);
            if (type === 'delete' || type === 'singleDelete') {
              decided = true;
              deleted = operands === undefined;
            }
          }
        }
        const r = merging.next();
        ok = r === true || r === false ? r : await r;
      }
      if (put) out.commit(ks + ul);
      else if (operands !== undefined && !deleted) {
        this.mergeInto(out, ks, ul, base, operands);
        out.commit(ks + ul);
      } else out.used = ks;
      if (out.used >= maxBytes || out.count >= maxPairs) {
        yield out;
        out = new PackedPairs(maxBytes + 1024, maxPairs);
      }
    }
    out.used = out.count === 0 ? 0 : out.valueEnd(out.count - 1);
    if (out.count > 0) yield out;
  }

  /** Writes a key's merge operands (newest first) combined with the put below them, if any, at the end of `out`. */
  private mergeInto(out: PackedPairs, keyStart: number, keyLength: number, base: Uint8Array | undefined, operands: Uint8Array[]): void {
    const merge = this.merge;
    if (merge === undefined) {
      throw new RocksError('Unsupported', 'merge operands found but no merge function is known for this column family; pass `merge`', {
        file: this.tables[0]?.name,
      });
    }
    const key = out.bytes.subarray(keyStart, keyStart + keyLength);
    operands.reverse();
    if (merge.into !== undefined) merge.into(out, key, base, operands);
    else out.append(merge(key, base, operands));
  }
}

function copyBytes(src: Uint8Array, from: number, n: number, dst: Uint8Array, at: number): void {
  if (n < 32) for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  else dst.set(src.subarray(from, from + n), at);
}

/** `a[at, at + n)` equals the first `n` bytes of `key`. */
function sameBytesAt(key: Uint8Array, a: Uint8Array, at: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (key[i] !== a[at + i]) return false;
  return true;
}

/** Bytewise order of `a[at, at + n)` against `b`. */
function compareAt(a: Uint8Array, at: number, n: number, b: Uint8Array): number {
  const m = Math.min(n, b.length);
  for (let i = 0; i < m; i++) {
    const d = a[at + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return n - b.length;
}

/** Groups tables by the column family their properties name (`undefined` key: unnamed). */
export function groupByColumnFamily(tables: readonly SstTable[]): Map<string | undefined, SstTable[]> {
  const out = new Map<string | undefined, SstTable[]>();
  for (const t of tables) {
    const cf = t.properties.columnFamilyName;
    const list = out.get(cf);
    if (list) list.push(t);
    else out.set(cf, [t]);
  }
  return out;
}
