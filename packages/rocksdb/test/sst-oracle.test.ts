/**
 * Our SST reader against RocksDB's own (7.8.3, Debian rocksdb-tools): DBs written by ldb and
 * db_bench with every compression, checksum type, format_version and index/data block layout;
 * every table's internal entries equal `sst_dump --command=scan --output_hex` (points) and
 * `ldb list_file_range_deletes` (range tombstones), its properties equal `sst_dump --show_properties`.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BytesSource, RocksError, SstTable, tableEntries, toHex, type TableProperties } from '@ckpt/rocksdb';
import { BENCH_CONFIGS, generateAll, LDB_CONFIGS, TOOLS, type GeneratedDb } from './oracle/rocksdb-tools.js';
import { countsAsProperties, emptyCounts } from './oracle/corpus.js';
import { indexSizeLabel, rangeDeletes, sstDumpDir, type DumpedFile, type OracleEntry } from './oracle/sst-dump.js';

if (!TOOLS) console.log('sst-oracle: ldb / sst_dump / db_bench not installed (apt-get install rocksdb-tools); skipped');

/** Our properties under the labels sst_dump prints (TableProperties::ToString). */
function asSstDumpPrints(p: TableProperties): Map<string, string> {
  const n = (v: number | undefined) => String(v ?? 0);
  const out = new Map<string, string>([
    ['# data blocks', n(p.numDataBlocks)],
    ['# entries', n(p.numEntries)],
    ['# deletions', n(p.numDeletions)],
    ['# merge operands', n(p.numMergeOperands)],
    ['# range deletions', n(p.numRangeDeletions)],
    ['raw key size', n(p.rawKeySize)],
    ['raw value size', n(p.rawValueSize)],
    ['data block size', n(p.dataSize)],
    ['filter block size', n(p.filterSize)],
    ['# entries for filter', n(p.numFilterEntries)],
    ['filter policy name', p.filterPolicy || 'N/A'],
    ['prefix extractor name', p.prefixExtractorName ?? 'N/A'],
    ['column family ID', p.columnFamilyId === undefined || p.columnFamilyId === 0x7fffffff ? 'N/A' : String(p.columnFamilyId)],
    ['column family name', p.columnFamilyName || 'N/A'],
    ['comparator name', p.comparator ?? 'N/A'],
    ['merge operator name', p.mergeOperator ?? 'N/A'],
    ['property collectors names', p.propertyCollectors ?? 'N/A'],
    ['SST file compression algo', p.compression ?? 'N/A'],
    ['SST file compression options', (p.compressionOptions ?? 'N/A').trimEnd()],
    ['creation time', n(p.creationTime)],
    ['time stamp of earliest key', n(p.oldestKeyTime)],
    ['file creation time', n(p.fileCreationTime)],
    ['DB identity', p.dbId ?? ''],
    ['DB session identity', p.dbSessionId ?? ''],
    ['DB host id', p.dbHostId ?? ''],
    ['original file number', n(p.originalFileNumber)],
  ]);
  if ((p.indexPartitions ?? 0) > 0) {
    out.set('# index partitions', n(p.indexPartitions));
    out.set('top-level index size', n(p.topLevelIndexSize));
  }
  return out;
}

const hexEntry = (e: { key: Uint8Array; seq: bigint; type: string; value: Uint8Array }): OracleEntry => ({
  key: toHex(e.key),
  seq: e.seq.toString(),
  type: e.type,
  value: toHex(e.value),
});

interface Compared {
  db: GeneratedDb;
  file: string;
  table?: SstTable;
  error?: unknown;
  ours: OracleEntry[];
  dump: DumpedFile;
  tombstones: OracleEntry[];
}

describe.skipIf(!TOOLS)('SSTs written by RocksDB 7.8.3 read as sst_dump reads them', () => {
  const results = new Map<string, Compared[]>();
  let root = '';

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'ckpt-sst-oracle-'));
    for (const db of generateAll(root)) {
      const dumped = sstDumpDir(db.dir);
      const tombstones = new Map(db.cfs.map((cf) => [cf, rangeDeletes(db.dir, cf)]));
      const rows: Compared[] = [];
      for (const file of db.ssts) {
        const dump = dumped.get(file);
        if (dump === undefined) throw new Error(`sst_dump did not report ${file}`);
        const row: Compared = { db, file, ours: [], dump, tombstones: [] };
        try {
          const table = await SstTable.open(new BytesSource(readFileSync(file), file));
          row.table = table;
          for await (const e of tableEntries(table)) row.ours.push(hexEntry(e));
          row.tombstones = tombstones.get(table.properties.columnFamilyName ?? 'default')?.get(file) ?? [];
        } catch (e) {
          row.error = e;
        }
        rows.push(row);
      }
      results.set(db.name, rows);
    }
  }, 60_000);

  afterAll(() => {
    if (root !== '') rmSync(root, { recursive: true, force: true });
  });

  const names = [...Object.keys(LDB_CONFIGS), ...Object.keys(BENCH_CONFIGS)];

  it.each(names)('%s: entries equal sst_dump scan + ldb range deletes', (name) => {
    const rows = results.get(name)!;
    expect(rows.length).toBeGreaterThan(0);
    const expectError = rows[0]!.db.expectError;
    let failed = 0;
    for (const r of rows) {
      if (r.error !== undefined) {
        // only the bzip2 DB may fail, and only with the typed Unsupported error
        expect(r.error, `${r.file}: ${String(r.error)}`).toBeInstanceOf(RocksError);
        expect((r.error as RocksError).code).toBe(expectError);
        expect((r.error as RocksError).file).toBe(r.file);
        failed++;
        continue;
      }
      const points = r.ours.filter((e) => e.type !== 'rangeDelete');
      const ranges = r.ours.filter((e) => e.type === 'rangeDelete');
      expect(points, r.file).toEqual(r.dump.entries);
      expect(ranges, r.file).toEqual(r.tombstones);
    }
    if (expectError !== undefined) expect(failed).toBeGreaterThan(0);
    else expect(failed).toBe(0);
  });

  it.each(names)('%s: properties and footer equal sst_dump --show_properties and the options', (name) => {
    for (const r of results.get(name)!) {
      if (r.table === undefined || r.error !== undefined) continue;
      const p = r.table.properties;
      const ours = asSstDumpPrints(p);
      const theirs = new Map([...r.dump.props].filter(([label]) => ours.has(label)));
      expect(new Map([...ours].filter(([label]) => theirs.has(label) || label.startsWith('#'))), r.file).toEqual(theirs);
      const index = indexSizeLabel(r.dump.props)!;
      expect([p.indexSize, p.indexKeyIsUserKey ?? 0, p.indexValueIsDeltaEncoded ?? 0]).toEqual([index.size, index.userKey, index.delta]);
      const indexType = r.dump.userProps.get('rocksdb.block.based.table.index.type');
      if (indexType !== undefined) expect(p.indexType).toBe(Buffer.from(indexType.slice(2), 'hex').readUInt32LE(0));
      // range deletions count in num.entries and deleted.keys (as in 6.20 and 8.10)
      const counts = emptyCounts();
      for (const e of r.ours) counts[e.type as keyof typeof counts]++;
      const { numEntries, numDeletions, numMergeOperands, numRangeDeletions } = p;
      expect({ numEntries, numDeletions, numMergeOperands, numRangeDeletions }).toEqual(countsAsProperties(counts));
      expect(r.table.formatVersion).toBe(r.db.formatVersion);
      expect(r.table.footer.checksumType).toBe(r.db.formatVersion === 0 ? 1 : r.db.checksum);
    }
  });

  it('covers every compression, checksum type, format version, index type and entry type', () => {
    const all = [...results.values()].flat().filter((r) => r.table !== undefined);
    const seen = (f: (r: Compared) => string | number | undefined) => [...new Set(all.map(f))].sort();
    expect(seen((r) => r.table!.compression)).toEqual(['BZip2', 'LZ4', 'LZ4HC', 'NoCompression', 'Snappy', 'ZSTD', 'Zlib']);
    expect(seen((r) => r.table!.checksumType)).toEqual(['crc32c', 'none', 'xxHash', 'xxHash64', 'xxh3']);
    expect(seen((r) => r.table!.formatVersion)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(seen((r) => r.table!.properties.indexType)).toEqual([0, 2, 3]);
    expect(new Set(all.flatMap((r) => r.ours.map((e) => e.type)))).toEqual(new Set(['put', 'delete', 'singleDelete', 'merge', 'rangeDelete']));
    const entries = all.reduce((s, r) => s + r.ours.length, 0);
    const multiBlock = all.filter((r) => (r.table!.properties.numDataBlocks ?? 0) > 50).length;
    console.log(`sst-oracle: ${all.length} tables, ${entries} entries equal to sst_dump/ldb; ${multiBlock} tables with > 50 data blocks`);
    expect(entries).toBeGreaterThan(5000);
  });
});
