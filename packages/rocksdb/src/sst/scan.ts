import { entryType, sequenceOf, typeCode, type InternalEntry } from '../internal-key.js';
import { RocksError } from '../errors.js';
import type { SstTable } from './table.js';
import { TableIterator } from './table-iterator.js';

/** Copies the iterator's current entry into an {@link InternalEntry}. */
export function currentEntry(it: TableIterator): InternalEntry {
  const k = it.key();
  return {
    key: k.slice(0, k.length - 8),
    seq: sequenceOf(k),
    type: entryType(typeCode(k), it.table.name, it.entryOffset),
    value: it.value().slice(),
  };
}

/**
 * The point entries of the table in file (= internal-key) order, a data block at a time (one
 * promise per block instead of one per entry: the fast way to copy everything out).
 */
export async function* pointEntryBatches(table: SstTable): AsyncGenerator<InternalEntry[]> {
  const it = new TableIterator(table);
  let ok = await it.seekToFirst();
  let batch: InternalEntry[] = [];
  while (ok) {
    batch.push(currentEntry(it));
    const r = it.next();
    if (r === true) continue;
    yield batch;
    batch = [];
    ok = r === false ? false : await r;
  }
  if (batch.length > 0) yield batch;
}

/** Every point entry of the table in file (= internal-key) order. */
export async function* pointEntries(table: SstTable): AsyncGenerator<InternalEntry> {
  for await (const batch of pointEntryBatches(table)) yield* batch;
}

/** A range tombstone: keys in `[start, end)` with a smaller sequence number are deleted. */
export interface RangeTombstone {
  start: Uint8Array;
  end: Uint8Array;
  seq: bigint;
}

/** The table's range tombstones (`rocksdb.range_del` block), in file order. */
export async function rangeTombstones(table: SstTable): Promise<RangeTombstone[]> {
  const block = await table.rangeDeletionBlock();
  if (block === undefined) return [];
  const out: RangeTombstone[] = [];
  const global = table.globalSeqno;
  const it = block.iter();
  for (let ok = it.seekToFirst(); ok; ok = it.next()) {
    const k = it.key();
    if (k.length < 8) throw block.error(`range tombstone key of ${k.length} bytes has no trailer`, it.entryOffset);
    const type = entryType(typeCode(k), table.name, block.offset + it.entryOffset);
    if (type !== 'rangeDelete') {
      throw new RocksError('BadValue', `a ${type} entry in the range deletion block`, { file: table.name, offset: block.offset + it.entryOffset });
    }
    out.push({ start: k.slice(0, k.length - 8), end: it.value().slice(), seq: global ?? sequenceOf(k) });
  }
  return out;
}

/**
 * Every internal entry in file order: the point entries of the data blocks, then the range
 * tombstones (type `rangeDelete`, `key` = start, `value` = end) of the range-deletion block.
 */
export async function* tableEntries(table: SstTable): AsyncGenerator<InternalEntry> {
  for await (const batch of pointEntryBatches(table)) yield* batch;
  for (const t of await rangeTombstones(table)) yield { key: t.start, seq: t.seq, type: 'rangeDelete', value: t.end };
}
