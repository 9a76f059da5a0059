// RocksJava as Flink ships it, as an oracle: `conformance/run.sh <line> rocks-oracle write|scan`
// (conformance/src/main/java/dev/ckpt/conformance/RocksOracle.java) writes DBs with Flink's options
// from the specs below and prints what RocksDB's own iterator returns per column family.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { prng } from './rocksdb-tools.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** The conformance lines and what their JNI writes (Java `BlockBasedTableConfig` defaults). */
export const ROCKSJAVA_LINES = [
  { line: '1.20', jni: 'frocksdbjni 6.20.3-ververica-2.0', checksum: 'crc32c', formatVersion: 5 },
  { line: '2.0', jni: 'frocksdbjni 8.10.0-ververica-1.0', checksum: 'xxh3', formatVersion: 5 },
  { line: '2.3', jni: 'frocksdbjni 8.10.0-ververica-1.0', checksum: 'xxh3', formatVersion: 5 },
] as const;
export type RocksJavaLine = (typeof ROCKSJAVA_LINES)[number];

export interface OracleEntry {
  key: Uint8Array;
  value: Uint8Array;
}

/** One DB written by RocksJava and what RocksJava's iterator reads back from it. */
export interface RocksJavaDb {
  line: RocksJavaLine;
  spec: string;
  dir: string;
  /** The DB's `*.sst` files (absolute paths). */
  sstFiles: string[];
  /** Column family name → entries in iterator order (merges applied); `default` left out when empty. */
  expected: Map<string, OracleEntry[]>;
  /** What every SST of the DB must say: footer format_version and checksum, the compression property. */
  table: { formatVersion: number; checksum: string; compression: string };
}

const CHECKSUM_NAMES: Record<string, string> = { kCRC32c: 'crc32c', kxxHash: 'xxHash', kxxHash64: 'xxHash64', kXXH3: 'xxh3', kNoChecksum: 'none' };
const COMPRESSION_NAMES: Record<string, string> = { SNAPPY_COMPRESSION: 'Snappy', ZSTD_COMPRESSION: 'ZSTD', LZ4_COMPRESSION: 'LZ4', ZLIB_COMPRESSION: 'Zlib', NO_COMPRESSION: 'NoCompression' };

/** Lines whose conformance build exists (`conformance/target/flink-<line>/classpath.txt`, RocksOracle built). */
export function builtLines(): RocksJavaLine[] {
  return ROCKSJAVA_LINES.filter((l) => {
    const t = join(root, 'conformance/target', `flink-${l.line}`);
    return existsSync(join(t, 'classpath.txt')) && existsSync(join(t, 'classes/dev/ckpt/conformance/RocksOracle.class'));
  });
}

/** A one-line reason to skip, or undefined when at least one line is built. */
export function rocksJavaMissing(): string | undefined {
  return builtLines().length > 0
    ? undefined
    : 'RocksJava oracle skipped: no conformance build with rocks-oracle (run: scripts/conformance.sh build)';
}

/**
 * Writes a DB per spec with every built line (or the given ones) into a fresh temp dir, and scans
 * each with RocksJava. Throws when the JVM fails.
 */
export function writeRocksJavaDbs(lines: readonly RocksJavaLine[] = builtLines()): RocksJavaDb[] {
  const base = mkdtempSync(join(tmpdir(), 'ckpt-rocksjava-'));
  const out: RocksJavaDb[] = [];
  for (const line of lines) {
    // one JVM writes every spec's DB, one scans them all
    const specs = { ...SPECS, ...(line.line === '1.20' ? {} : SPECS_2X) };
    const dbs = Object.entries(specs).map(([name, spec]) => {
      const specFile = join(base, `${line.line}-${name}.json`);
      const sp = spec();
      writeFileSync(specFile, JSON.stringify(sp));
      const table = {
        formatVersion: sp.formatVersion ?? line.formatVersion,
        checksum: sp.checksum ? CHECKSUM_NAMES[sp.checksum]! : line.checksum,
        compression: COMPRESSION_NAMES[sp.compression ?? 'SNAPPY_COMPRESSION']!,
      };
      return { name, specFile, dir: join(base, `${line.line}-${name}`), table };
    });
    rocksOracle(line.line, ['write', ...dbs.flatMap((d) => [d.dir, d.specFile])]);
    const scans = parseScan(rocksOracle(line.line, ['scan', ...dbs.map((d) => d.dir)]));
    dbs.forEach((d, i) => {
      out.push({ line, spec: d.name, dir: d.dir, sstFiles: sstFilesOf(d.dir), expected: scans.get(i) ?? new Map(), table: d.table });
    });
  }
  return out;
}

/** The `*.sst` files of a DB directory, sorted (absolute paths). */
export function sstFilesOf(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sst'))
    .sort()
    .map((f) => join(dir, f));
}

/** Runs `conformance/run.sh <line> rocks-oracle ...`; stdout, or throws with stderr's tail. */
export function rocksOracle(line: string, args: string[]): string {
  const r = spawnSync(join(root, 'conformance/run.sh'), [line, 'rocks-oracle', ...args], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`rocks-oracle ${args[0]} (flink-${line}) failed: ${r.stderr.slice(-2000)}`);
  return r.stdout;
}

/** `scan` output of several DBs: DB index → column family → entries. */
function parseScan(stdout: string): Map<number, Map<string, OracleEntry[]>> {
  const dbs = new Map<number, Map<string, OracleEntry[]>>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const e = JSON.parse(line) as { db: number; cf: string; key: string; value: string };
    let cfs = dbs.get(e.db);
    if (cfs === undefined) dbs.set(e.db, (cfs = new Map()));
    let list = cfs.get(e.cf);
    if (list === undefined) cfs.set(e.cf, (list = []));
    list.push({ key: Buffer.from(e.key, 'hex'), value: Buffer.from(e.value, 'hex') });
  }
  return dbs;
}

// ---- specs: Flink-like keyed state ----

type Op =
  | { op: 'put' | 'merge'; cf: string; key: string; value: string }
  | { op: 'delete' | 'singleDelete'; cf: string; key: string }
  | { op: 'deleteRange'; cf: string; key: string; end: string }
  | { op: 'flush' }
  | { op: 'compact'; cf?: string };

interface Spec {
  columnFamilies: string[];
  partitionedIndex?: boolean;
  /** Table options a user's RocksDBOptionsFactory may set (RocksJava enum names). */
  formatVersion?: number;
  checksum?: string;
  compression?: string;
  indexBlockRestartInterval?: number;
  ops: Op[];
}


const hex = (...parts: (number[] | Uint8Array)[]) => parts.map((p) => Buffer.from(p).toString('hex')).join('');
const be = (n: number, bytes: number) => Array.from({ length: bytes }, (_, i) => Math.floor(n / 256 ** (bytes - 1 - i)) % 256);
/** Key-group prefix: 1 byte up to max parallelism 128, else 2 (Flink's CompositeKeySerializationUtils). */
const kgPrefix = (kg: number, maxParallelism: number) => be(kg, maxParallelism <= 128 ? 1 : 2);
/** A serialized String key (Flink StringSerializer: varint length + 1, chars) and the VoidNamespace byte. */
const strKey = (s: string) => [s.length + 1, ...Buffer.from(s, 'latin1')];
const VOID_NS = [0];
/** A TTL value: user value then the last-access timestamp (TtlValue, 8-byte big-endian millis). */
const ttl = (value: number[], ts: number) => [...value, ...be(ts, 8)];
/**
 * Value, list (merges), map and timer state over `keys` keys, written in rounds with flushes in
 * between (overlapping keys, several versions per key), deletes, and at the end Flink's
 * `clipDBWithKeyGroupRange`: delete-range of the key-group prefixes outside [lo, hi) in every CF.
 */
function keyedSpec(opts: { seed: number; maxP: number; keys: number; rounds: number; partitionedIndex?: boolean; compactAt?: number }): Spec {
  const rnd = prng(opts.seed);
  const { maxP } = opts;
  const cfs = { value: 'value-state', list: 'list-state', map: 'map-state', timers: '_timer_state/event_window-timers' };
  const ops: Op[] = [];
  const keys = Array.from({ length: opts.keys }, (_, i) => ({ kg: Math.floor(rnd() * maxP), key: strKey(`user-${i}`) }));
  const prefix = (k: (typeof keys)[number]) => hex(kgPrefix(k.kg, maxP), k.key, VOID_NS);
  for (let round = 0; round < opts.rounds; round++) {
    for (const k of keys) {
      const r = rnd();
      const p = prefix(k);
      if (r < 0.7) ops.push({ op: 'put', cf: cfs.value, key: p, value: hex(ttl(be(round * 1000 + Math.floor(rnd() * 1000), 4), 1_700_000_000_000 + round)) });
      else if (r < 0.8) ops.push({ op: 'delete', cf: cfs.value, key: p });
      // list state: `add` merges one serialized element (TTL-wrapped), `update` puts the joined list
      if (rnd() < 0.15) ops.push({ op: 'put', cf: cfs.list, key: p, value: hex(ttl(be(round, 4), 1), [44], ttl(be(round + 1, 4), 2)) });
      else ops.push({ op: 'merge', cf: cfs.list, key: p, value: hex(ttl(be(Math.floor(rnd() * 2 ** 31), 4), 1_700_000_000_000 + round)) });
      // map state: user key appended to the prefix, value = null flag + value
      const mk = Math.floor(rnd() * 4);
      const mapKey = p + hex(strKey(`m${mk}`));
      if (rnd() < 0.2) ops.push({ op: 'delete', cf: cfs.map, key: mapKey });
      else ops.push({ op: 'put', cf: cfs.map, key: mapKey, value: hex([0], be(round * 7 + mk, 8)) });
      // timers: key group, timestamp, key, namespace; empty value; a timer of the round before fires
      const timer = (r: number) => hex(kgPrefix(k.kg, maxP), be(1_700_000_000_000 + r * 10 + (k.key.length % 7), 8), k.key, VOID_NS);
      ops.push({ op: 'put', cf: cfs.timers, key: timer(round), value: '' });
      if (round > 0 && rnd() < 0.5) ops.push({ op: 'singleDelete', cf: cfs.timers, key: timer(round - 1) });
    }
    ops.push({ op: 'flush' });
    if (opts.compactAt === round) ops.push({ op: 'compact', cf: cfs.list }, { op: 'compact', cf: cfs.value });
  }
  // clipDBWithKeyGroupRange for a restored range [lo, hi): delete [0, lo) and [hi, maxP)
  const lo = Math.floor(maxP / 8);
  const hi = Math.floor((maxP * 3) / 4);
  for (const cf of Object.values(cfs)) {
    ops.push({ op: 'deleteRange', cf, key: hex(kgPrefix(0, maxP)), end: hex(kgPrefix(lo, maxP)) });
    ops.push({ op: 'deleteRange', cf, key: hex(kgPrefix(hi, maxP)), end: hex(kgPrefix(maxP, maxP)) });
  }
  // writes after the clip (a restored job keeps running), then the final flush RocksOracle adds
  for (const k of keys.slice(0, Math.ceil(keys.length / 10))) ops.push({ op: 'merge', cf: cfs.list, key: prefix(k), value: hex(ttl([9, 9, 9, 9], 1)) });
  return { columnFamilies: Object.values(cfs), partitionedIndex: opts.partitionedIndex ?? false, ops };
}

/** Specs that need a RocksDB of the 2.x lines (8.10: format_version 6, context checksums). */
export const SPECS_2X: Record<string, () => Spec> = {
  'fv6-zstd': () => ({ ...keyedSpec({ seed: 3, maxP: 128, keys: 400, rounds: 3 }), formatVersion: 6, compression: 'ZSTD_COMPRESSION' }),
  'fv6-lz4-xxh64': () => ({
    ...keyedSpec({ seed: 4, maxP: 256, keys: 400, rounds: 2 }),
    formatVersion: 6,
    compression: 'LZ4_COMPRESSION',
    checksum: 'kxxHash64',
    indexBlockRestartInterval: 4,
  }),
};

/** The specs every line writes. */
export const SPECS: Record<string, () => Spec> = {
  /** max parallelism 128 (1-byte key groups), a few hundred keys, four flushes. */
  'small-kg1': () => keyedSpec({ seed: 1, maxP: 128, keys: 300, rounds: 4 }),
  /** max parallelism 32768 (2-byte key groups), partitioned index, compaction in the middle, many blocks. */
  'kg2-partitioned': () => keyedSpec({ seed: 2, maxP: 32768, keys: 3000, rounds: 3, partitionedIndex: true, compactAt: 1 }),
};
