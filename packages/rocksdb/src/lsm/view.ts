import { seekKey } from '../internal-key.js';
import { rangeTombstones, type RangeTombstone } from '../sst/scan.js';
import type { SstTable } from '../sst/table.js';
import { TableIterator } from '../sst/table-iterator.js';
import { MergingIterator } from './merging-iterator.js';
import { mergeFunctionFor, type MergeFunction } from './merge-operators.js';
import { TombstoneMap } from './range-tombstones.js';
import { PackedPairs } from './packed-pairs.js';
import { FillStop, PackedScan } from './packed-scan.js';

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
    const iterators = this.tables.map((t) => new TableIterator(t));
    if (range.end !== undefined) {
      const upper = seekKey(range.end);
      await Promise.all(iterators.map((it) => it.limitTo(upper)));
    }
    const merging = new MergingIterator(iterators);
    const positioned = range.start === undefined ? await merging.seekToFirst() : await merging.seek(seekKey(range.start));
    const scan = new PackedScan(merging, positioned, range.end, tombstones, this.merge, maxBytes, maxPairs);
    let out = new PackedPairs(maxBytes + 1024, maxPairs);
    for (;;) {
      const stop = scan.fill(out);
      if (stop === FillStop.wait) scan.resume(await scan.pending!);
      else if (stop === FillStop.full) {
        yield out;
        out = new PackedPairs(maxBytes + 1024, maxPairs);
      } else break;
    }
    if (out.count > 0) yield out;
  }
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
