// RocksJava (the frocksdbjni of each conformance line, Flink's options) as the oracle for SSTs
// written the way Flink's RocksDB backend writes them. See test/oracle/rocksjava.ts.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BytesSource, groupByColumnFamily, LsmView, SstTable, rangeTombstones, tableEntries, toHex, type InternalEntry } from '../src/index.js';
import { rocksJavaMissing, sstFilesOf, writeRocksJavaDbs, type OracleEntry, type RocksJavaDb } from './oracle/rocksjava.js';

const missing = rocksJavaMissing();
if (missing !== undefined) console.log(missing);

async function openTable(file: string): Promise<SstTable> {
  return SstTable.open(new BytesSource(readFileSync(file), file));
}

/** Every SST of the DB read in full (every block's checksum verified on read); point entries per column family. */
async function readDb(db: RocksJavaDb): Promise<Map<string, InternalEntry[]>> {
  const byCf = new Map<string, InternalEntry[]>();
  for (const file of db.sstFiles) {
    const table = await openTable(file);
    expect(table.formatVersion, file).toBe(db.table.formatVersion);
    expect(table.checksumType, file).toBe(db.table.checksum);
    expect(table.properties.mergeOperator, file).toBe('StringAppendTESTOperator');
    expect(table.compression, file).toBe(db.table.compression);
    const cf = table.properties.columnFamilyName!;
    let list = byCf.get(cf);
    if (list === undefined) byCf.set(cf, (list = []));
    let points = 0;
    for await (const e of tableEntries(table)) {
      if (e.type === 'rangeDelete') continue;
      points++;
      list.push(e);
    }
    expect(points, file).toBe(table.properties.numEntries! - (table.properties.numRangeDeletions ?? 0));
    expect((await rangeTombstones(table)).length, file).toBe(table.properties.numRangeDeletions ?? 0);
  }
  return byCf;
}

/**
 * What can be said without merging: every key RocksJava returns has point entries in its column
 * family's SSTs, the newest of them is not a deletion, and when it is a put, its value is RocksJava's.
 */
function checkCoverage(expected: Map<string, OracleEntry[]>, byCf: Map<string, InternalEntry[]>): void {
  for (const [cf, entries] of expected) {
    const newest = new Map<string, InternalEntry>();
    for (const e of byCf.get(cf) ?? []) {
      const k = toHex(e.key);
      const seen = newest.get(k);
      if (seen === undefined || e.seq > seen.seq) newest.set(k, e);
    }
    for (const { key, value } of entries) {
      const e = newest.get(toHex(key));
      expect(e, `${cf} ${toHex(key)}`).toBeDefined();
      expect(['put', 'merge'], `${cf} ${toHex(key)}`).toContain(e!.type);
      if (e!.type === 'put') expect(toHex(e!.value), `${cf} ${toHex(key)}`).toBe(toHex(value));
    }
  }
}

// LSM: the view over all SSTs of a DB, per column family ---------------------------------

/**
 * `LsmView` over every SST of the DB in `dir` equals RocksJava's iterator (`expected`), entry for
 * entry, for every column family RocksJava returned entries for and every other one the SSTs name
 * (those must come out empty).
 */
async function compareWithLsm(dir: string, expected: Map<string, OracleEntry[]>): Promise<void> {
  const tables = await Promise.all(sstFilesOf(dir).map(openTable));
  const byCf = groupByColumnFamily(tables);
  const cfs = new Set([...expected.keys(), ...[...byCf.keys()].map((cf) => cf!)]);
  for (const cf of cfs) {
    const got: string[] = [];
    for await (const e of new LsmView(byCf.get(cf) ?? []).scan()) got.push(`${toHex(e.key)} ${toHex(e.value)}`);
    const want = (expected.get(cf) ?? []).map((e) => `${toHex(e.key)} ${toHex(e.value)}`);
    expect(got, `column family ${cf}`).toEqual(want);
    expect(got.length, `column family ${cf}`).toBe(want.length);
  }
}


describe.skipIf(missing !== undefined)('SSTs written by RocksJava with Flink options', () => {
  let dbs: RocksJavaDb[] = [];

  it('RocksJava writes and scans every spec with every built line', () => {
    dbs = writeRocksJavaDbs();
    expect(dbs.length).toBeGreaterThan(0);
    for (const db of dbs) {
      expect(db.sstFiles.length, `${db.line.line} ${db.spec}`).toBeGreaterThan(4);
      expect([...db.expected.keys()].sort(), `${db.line.line} ${db.spec}`).toEqual(
        ['_timer_state/event_window-timers', 'list-state', 'map-state', 'value-state'],
      );
    }
  }, 300_000);

  it('every SST opens, every block checksum verifies, entry counts match the properties, every expected key is covered', async () => {
    for (const db of dbs) {
      const byCf = await readDb(db);
      checkCoverage(db.expected, byCf);
      // merges, tombstones and several versions per key are really there
      const all = [...byCf.values()].flat();
      for (const t of ['put', 'merge', 'delete', 'singleDelete'] as const) expect(all.some((e) => e.type === t), `${db.spec} ${t}`).toBe(true);
    }
  });

  it('LSM view equals RocksJava, entry for entry, per column family', async () => {
    expect(dbs.length).toBeGreaterThan(0);
    for (const db of dbs) await compareWithLsm(db.dir, db.expected);
  });
});
