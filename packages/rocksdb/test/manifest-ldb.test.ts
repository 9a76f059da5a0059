// readManifest against real RocksDB: DBs written by Debian's `ldb` (rocksdb-tools), compared with
// `ldb manifest_dump`; every prefix and random single-byte corruptions of those MANIFESTs.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RocksError } from '../src/errors.js';
import { BytesSource } from '../src/source.js';
import { readLogRecords, readManifest, readCurrent, parseOptionsFile, sstFileName, type Manifest } from '../src/manifest/index.js';
import { HAS_LDB, ldb, liveManifest, parseManifestDump, tempDir, type Dump } from './manifest-support.js';

if (!HAS_LDB) console.log('ldb not found (Debian rocksdb-tools): skipping the MANIFEST tests against real RocksDB');

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function compareWithDump(m: Manifest, dump: Dump): void {
  expect(m.columnFamilies.map((c) => [c.id, c.name])).toEqual(dump.cfs.map((c) => [c.id, c.name]));
  for (const cf of dump.cfs) {
    const ours = m.columnFamilies.find((c) => c.id === cf.id)!;
    expect(ours.logNumber, `log number of ${cf.name}`).toBe(cf.logNumber);
    expect(ours.comparator).toBe(cf.comparator);
    const files = ours.files.map((f) => ({
      level: f.level,
      number: f.number,
      size: f.size,
      smallestSeqno: f.smallestSeqno,
      largestSeqno: f.largestSeqno,
      smallest: `${hex(f.smallest.userKey)}@${f.smallest.seq}:${f.smallest.type}`,
      largest: `${hex(f.largest.userKey)}@${f.largest.seq}:${f.largest.type}`,
    }));
    const byNumber = (a: { number: number }, b: { number: number }) => a.number - b.number;
    expect(files.sort(byNumber), `live files of ${cf.name}`).toEqual([...cf.files].sort(byNumber));
  }
  // RocksDB opens with next_file_number = the recorded one + 1 (the recorded one is reserved).
  expect(m.nextFileNumber + 1).toBe(dump.nextFileNumber);
  expect(m.lastSequence).toBe(dump.lastSequence);
  expect(m.prevLogNumber).toBe(dump.prevLogNumber);
  expect(m.maxColumnFamily).toBe(dump.maxColumnFamily);
  expect(m.minLogNumberToKeep).toBe(dump.minLogNumberToKeep);
  expect(m.comparator).toBe('leveldb.BytewiseComparator');
}

interface Db {
  name: string;
  dir: string;
}

const dbs: Db[] = [];
let cleanup = () => {};

function build(root: string): void {
  // Several column families, one dropped; puts, deletes, range deletions, compactions.
  const cfs = join(root, 'cfs');
  const at = (...a: string[]) => ldb([`--db=${cfs}`, ...a]);
  at('--create_if_missing', 'put', 'a', '1');
  for (const name of ['alpha', 'beta', 'gamma']) at('create_column_family', name);
  for (let i = 0; i < 6; i++) {
    at('--column_family=alpha', 'put', `k${i}`, `v${i}`);
    at('--column_family=beta', 'put', `b${i}`, `w${i}`);
  }
  at('--column_family=alpha', 'delete', 'k1');
  at('--column_family=alpha', 'deleterange', 'k2', 'k4');
  at('--column_family=gamma', 'put', 'g', 'x');
  at('--column_family=alpha', 'compact');
  at('drop_column_family', 'gamma');
  at('--column_family=beta', 'put', 'b9', 'last');
  at('put', 'z', '26');
  dbs.push({ name: 'column families', dir: cfs });

  // Hundreds of live files: the snapshot edit of a new MANIFEST spans several 32 KiB blocks.
  const big = join(root, 'big');
  const lines: string[] = [];
  for (let i = 0; i < 24000; i++) lines.push(`key${i} ==> value${i}-${String(i).padStart(40, '0')}`);
  ldb([`--db=${big}`, '--create_if_missing', '--auto_compaction=false', 'load'], lines.join('\n') + '\n');
  ldb([`--db=${big}`, '--file_size=1024', '--block_size=256', '--auto_compaction=false', 'compact']);
  ldb([`--db=${big}`, 'put', 'x', 'y']);
  dbs.push({ name: 'fragmented records', dir: big });

  // Blob files (BlobDB's key-value separation) add blob records to the MANIFEST.
  const blob = join(root, 'blob');
  const b = (...a: string[]) => ldb([`--db=${blob}`, '--enable_blob_files', '--min_blob_size=0', ...a]);
  b('--create_if_missing', 'put', 'k1', 'a blob value');
  b('put', 'k2', 'another blob value');
  b('compact');
  b('put', 'k3', 'v');
  dbs.push({ name: 'blob files', dir: blob });
}

describe.skipIf(!HAS_LDB)('readManifest against ldb manifest_dump', () => {
  beforeAll(() => {
    const t = tempDir('ckpt-manifest-');
    cleanup = t.cleanup;
    build(t.dir);
  }, 120_000);
  afterAll(() => cleanup());

  it('equals manifest_dump and every live table exists', async () => {
    for (const db of dbs) {
      const { name, source } = liveManifest(db.dir);
      expect(readCurrent(readFileSync(join(db.dir, 'CURRENT')))).toBe(name);
      const m = await readManifest(source);
      const dump = parseManifestDump(ldb(['manifest_dump', `--path=${join(db.dir, name)}`, '--hex', '--verbose']));
      compareWithDump(m, dump);
      for (const cf of m.columnFamilies) {
        for (const f of cf.files) expect(existsSync(join(db.dir, sstFileName(f.number))), `${db.name}: ${sstFileName(f.number)}`).toBe(true);
      }
    }
    const [cfs, big, blob] = dbs.map((d) => d.dir) as [string, string, string];
    const m = await readManifest(liveManifest(cfs).source, { keepEdits: true });
    expect(m.columnFamilies.map((c) => c.name)).toEqual(['default', 'alpha', 'beta']);
    expect(m.edits!.some((e) => e.newFiles.some((f) => f.uniqueId && f.creationTime !== undefined))).toBe(true);
    expect((await readManifest(liveManifest(big).source)).columnFamilies[0]!.files.length).toBeGreaterThan(400);
    expect(liveManifest(big).bytes.length).toBeGreaterThan(32768);
    const mb = await readManifest(liveManifest(blob).source, { keepEdits: true });
    expect(mb.edits!.some((e) => e.blobFileAdditions.length > 0)).toBe(true);
  });

  it('parses the OPTIONS files RocksDB wrote', () => {
    const dir = dbs[0]!.dir;
    const name = readdirSync(dir).filter((n) => n.startsWith('OPTIONS-')).sort().at(-1)!;
    const o = parseOptionsFile(readFileSync(join(dir, name), 'utf8'), name);
    expect(o.version['rocksdb_version']).toMatch(/^\d+\.\d+/);
    expect(Object.keys(o.cfOptions)).toEqual(['default', 'alpha', 'beta']);
    expect(o.tableOptions['alpha']!.type).toBe('BlockBasedTable');
    expect(o.tableOptions['alpha']!.options['format_version']).toMatch(/^\d+$/);
    expect(o.dbOptions['create_if_missing']).toBeDefined();
  });

  it('every prefix is a clean result at record boundaries and a typed error elsewhere', async () => {
    for (const db of dbs) {
      const { bytes, source } = liveManifest(db.dir);
      const ends = new Set<number>([0]);
      for await (const r of readLogRecords(source)) ends.add(r.end);
      // The small MANIFESTs entirely; the big one on a stride plus around every block boundary.
      const cuts: number[] = [];
      for (let n = 0; n < bytes.length; n++) {
        if (bytes.length < 8192 || n % 53 === 0 || n % 32768 < 16 || n % 32768 > 32752 || ends.has(n)) cuts.push(n);
      }
      for (const n of cuts) {
        const prefix = new BytesSource(bytes.subarray(0, n), `prefix-${n}`);
        const strict = await readManifest(prefix).then(
          (m) => m,
          (e: unknown) => e,
        );
        if (!ends.has(n)) {
          expect(strict, `${db.name}: prefix ${n}`).toBeInstanceOf(RocksError);
          expect((strict as RocksError).code, `${db.name}: prefix ${n}`).toBe('Truncated');
        } else if (strict instanceof Error) {
          expect(strict, `${db.name}: prefix ${n}`).toBeInstanceOf(RocksError);
          expect((strict as RocksError).code).toBe('BadRecord');
        }
        // Tolerant: the same as the prefix cut back to the last complete record.
        const last = Math.max(...[...ends].filter((e) => e <= n));
        const tolerant = await readManifest(prefix, { tolerateTruncatedTail: true }).catch((e: unknown) => e);
        const cutBack = await readManifest(new BytesSource(bytes.subarray(0, last))).catch((e: unknown) => e);
        if (cutBack instanceof RocksError) expect((tolerant as RocksError).code).toBe(cutBack.code);
        else expect(tolerant).toEqual(cutBack);
      }
    }
  });

  it('random single-byte corruptions give a typed error or the same result', async () => {
    let seed = 12345;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (const db of dbs) {
      const { bytes } = liveManifest(db.dir);
      const original = await readManifest(new BytesSource(bytes));
      for (let i = 0; i < 300; i++) {
        const copy = bytes.slice();
        const at = rand(copy.length);
        copy[at]! ^= 1 + rand(255);
        const r = await readManifest(new BytesSource(copy, 'corrupt')).catch((e: unknown) => e);
        if (r instanceof Error) {
          expect(r, `${db.name}: byte ${at}`).toBeInstanceOf(RocksError);
          expect((r as RocksError).offset, `${db.name}: byte ${at}`).toBeTypeOf('number');
        } else {
          expect(r, `${db.name}: byte ${at}`).toEqual(original);
        }
      }
    }
  });
});
