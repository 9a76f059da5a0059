import { RocksError } from '../errors.js';
import { entryType, typeCode, type EntryType } from '../internal-key.js';
import type { RangedSource } from '../source.js';
import { DataBlockWalker } from './data-blocks.js';
import { rangeTombstones } from './scan.js';
import { SstTable, type OpenTableOptions } from './table.js';

/** What `verifyTable` found: block and entry counts, and every problem (empty when sound). */
export interface TableCheck {
  file: string;
  formatVersion?: number;
  checksumType?: string;
  /** Blocks whose checksum was verified (data, index, meta, metaindex, properties). */
  blocks: number;
  dataBlocks: number;
  entries: Record<EntryType, number>;
  problems: RocksError[];
}

function asRocksError(e: unknown, file: string): RocksError {
  if (e instanceof RocksError) return e.withFile(file);
  return new RocksError('BadValue', (e as Error)?.message ?? String(e), { file, cause: e });
}

/**
 * Reads every block of a table — metaindex, properties, every meta block (filters, range
 * deletions, …), the index (all partitions) and every data block with all its entries — and
 * verifies each checksum; then compares the entry counts with the table properties. A bad data
 * block is reported and the walk goes on with the next one.
 */
export async function verifyTable(source: RangedSource, options: Omit<OpenTableOptions, 'verifyChecksums'> = {}): Promise<TableCheck> {
  const entries: Record<EntryType, number> = { put: 0, delete: 0, singleDelete: 0, merge: 0, rangeDelete: 0 };
  const check: TableCheck = { file: source.name, blocks: 0, dataBlocks: 0, entries, problems: [] };
  let table: SstTable;
  try {
    table = await SstTable.open(source, { ...options, verifyChecksums: true });
  } catch (e) {
    check.problems.push(asRocksError(e, source.name));
    return check;
  }
  check.formatVersion = table.formatVersion;
  check.checksumType = table.checksumType;
  check.blocks += table.metaindex.has('rocksdb.properties') || table.metaindex.has('rocksdb.stats') ? 2 : 1;
  const attempt = async (fn: () => Promise<void>): Promise<boolean> => {
    try {
      await fn();
      return true;
    } catch (e) {
      check.problems.push(asRocksError(e, source.name));
      return false;
    }
  };
  for (const [name, handle] of table.metaindex) {
    if (name === 'rocksdb.properties' || name === 'rocksdb.stats') continue;
    if (name === 'rocksdb.range_del') {
      await attempt(async () => {
        entries.rangeDelete += (await rangeTombstones(table)).length;
        check.blocks++;
      });
      continue;
    }
    // Filters and other meta blocks are not in the block format: verify checksum and compression only.
    await attempt(async () => {
      await table.readBlockContents(handle, 'meta');
      check.blocks++;
    });
  }
  const walker = new DataBlockWalker(table);
  let lastPartition: number | undefined;
  await attempt(async () => {
    await table.indexBlock();
    check.blocks++;
    for (let h = await walker.first(); h !== undefined; h = await walker.next()) {
      if (walker.partitionHandle !== undefined && walker.partitionHandle.offset !== lastPartition) {
        lastPartition = walker.partitionHandle.offset;
        check.blocks++;
      }
      const handle = h;
      await attempt(async () => {
        const block = await table.readBlock(handle, 'data');
        check.blocks++;
        check.dataBlocks++;
        const it = block.iter();
        for (let ok = it.seekToFirst(); ok; ok = it.next()) {
          const k = it.key();
          if (k.length < 8) throw block.error(`internal key of ${k.length} bytes is shorter than its 8-byte trailer`, it.entryOffset);
          entries[entryType(typeCode(k), table.name, block.offset + it.entryOffset)]++;
        }
      });
    }
  });
  if (check.problems.length === 0) compareCounts(table, check);
  return check;
}

function compareCounts(table: SstTable, check: TableCheck): void {
  const p = table.properties;
  const e = check.entries;
  const total = e.put + e.delete + e.singleDelete + e.merge + e.rangeDelete;
  const mismatch = (what: string, prop: number, read: number) =>
    check.problems.push(
      new RocksError('BadValue', `the properties count ${prop} ${what} but the table holds ${read}`, { file: table.name, offset: table.footer.metaindex.offset }),
    );
  if (p.numEntries !== undefined && p.numEntries !== total && p.numEntries !== total - e.rangeDelete) mismatch('entries', p.numEntries, total);
  if (p.numMergeOperands !== undefined && p.numMergeOperands !== e.merge) mismatch('merge operands', p.numMergeOperands, e.merge);
  if (p.numRangeDeletions !== undefined && p.numRangeDeletions !== e.rangeDelete) mismatch('range deletions', p.numRangeDeletions, e.rangeDelete);
  const deletes = e.delete + e.singleDelete;
  if (p.numDeletions !== undefined && p.numDeletions !== deletes && p.numDeletions !== deletes + e.rangeDelete) {
    mismatch('deletions', p.numDeletions, deletes + e.rangeDelete);
  }
}
