import { compareBytes } from '../coding.js';
import { RocksError } from '../errors.js';
import { entryType, seekKey, sequenceOf, typeCode } from '../internal-key.js';
import { rangeTombstones, type RangeTombstone } from '../sst/scan.js';
import type { SstTable } from '../sst/table.js';
import { TableIterator } from '../sst/table-iterator.js';
import { MergingIterator } from './merging-iterator.js';
import { mergeFunctionFor, type MergeFunction } from './merge-operators.js';
import { TombstoneMap } from './range-tombstones.js';

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
   * read) instead of one per key — the fast way to consume the view.
   */
  async *scanBatches(range: KeyRange = {}, batchSize = 256): AsyncGenerator<KeyValue[]> {
    const tombstones = await this.rangeTombstones();
    const merging = new MergingIterator(this.tables.map((t) => new TableIterator(t)));
    let ok = range.start === undefined ? await merging.seekToFirst() : await merging.seek(seekKey(range.start));
    let batch: KeyValue[] = [];
    while (ok) {
      const top = merging.top;
      const ikey = top.key();
      const userKey = ikey.slice(0, ikey.length - 8);
      if (range.end !== undefined && compareBytes(userKey, range.end) >= 0) break;
      const covering = tombstones.coveringSeq(userKey);
      const operands: Uint8Array[] = [];
      let base: Uint8Array | undefined;
      let decided = false;
      let deleted = false;
      // Versions of this user key, newest first.
      while (ok) {
        const it = merging.top;
        const k = it.key();
        if (!sameUserKey(k, userKey)) break;
        if (!decided) {
          const seq = sequenceOf(k);
          const type = entryType(typeCode(k), it.table.name, it.entryOffset);
          if (covering > seq || type === 'delete' || type === 'singleDelete') {
            decided = true;
            deleted = operands.length === 0;
          } else if (type === 'put') {
            base = it.value();
            decided = true;
          } else if (type === 'merge') {
            operands.push(it.value());
          }
        }
        const r = merging.next();
        ok = r === true || r === false ? r : await r;
      }
      const kv = this.resolve(userKey, base, operands, deleted);
      if (kv !== undefined) {
        batch.push(kv);
        if (batch.length >= batchSize) {
          yield batch;
          batch = [];
        }
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** The value a key's newest versions give: its put, its merge operands combined, or nothing. */
  private resolve(userKey: Uint8Array, base: Uint8Array | undefined, operands: Uint8Array[], deleted: boolean): KeyValue | undefined {
    if (operands.length === 0) return base === undefined ? undefined : { key: userKey, value: base };
    if (deleted) return undefined;
    const merge = this.merge;
    if (merge === undefined) {
      throw new RocksError('Unsupported', 'merge operands found but no merge function is known for this column family; pass `merge`', {
        file: this.tables[0]?.name,
      });
    }
    return { key: userKey, value: merge(userKey, base, operands.reverse()) };
  }
}

function sameUserKey(ikey: Uint8Array, userKey: Uint8Array): boolean {
  if (ikey.length - 8 !== userKey.length) return false;
  for (let i = 0; i < userKey.length; i++) if (ikey[i] !== userKey[i]) return false;
  return true;
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
