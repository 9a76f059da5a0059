/**
 * Test-data generator: real RocksDB (Debian's rocksdb-tools 7.8.3: `ldb`, `db_bench`) writes DBs
 * with every table option a reader must handle. Deterministic (seeded contents, fixed workloads)
 * and fast (a few hundred ms per DB). `.ci/run` installs the tools; without them `TOOLS` is false.
 *
 * ldb: the table options are set by editing the DB's OPTIONS file and running every later command
 * with `--try_load_options`; each ldb process flushes the previous process's WAL when it opens the
 * DB, so a workload ends with one more write that stays in the WAL.
 * db_bench: merges (`mergerandom`) and single deletes next to older versions (`randomreplacekeys`).
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).status === 0;
}

/** Whether ldb, sst_dump and db_bench are installed. */
export const TOOLS = has('ldb') && has('sst_dump') && has('db_bench');

/** Runs a tool; throws with its output when it fails. */
export function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}${r.stdout}`.slice(0, 2000));
  return r.stdout;
}

/** BlockBasedTableOptions / CF options as the OPTIONS file spells them. */
export interface TableConfig {
  formatVersion: number;
  checksum: 'kNoChecksum' | 'kCRC32c' | 'kxxHash' | 'kxxHash64' | 'kXXH3';
  compression: 'kNoCompression' | 'kSnappyCompression' | 'kZlibCompression' | 'kBZip2Compression' | 'kLZ4Compression' | 'kLZ4HCCompression' | 'kZSTD';
  indexType?: 'kBinarySearch' | 'kTwoLevelIndexSearch' | 'kBinarySearchWithFirstKey';
  dataBlockIndexType?: 'kDataBlockBinarySearch' | 'kDataBlockBinaryAndHash';
  blockSize?: number;
  blockRestartInterval?: number;
  indexBlockRestartInterval?: number;
  metadataBlockSize?: number;
}

/** A DB written by the tools: its SST files and the column families they belong to. */
export interface GeneratedDb {
  name: string;
  dir: string;
  /** Column families written (default first). */
  cfs: string[];
  /** Absolute paths of the DB's SST files, sorted. */
  ssts: string[];
  /** The footer's format_version and checksum type code the options asked for. */
  formatVersion: number;
  checksum: number;
  /** What the reader must say: `undefined` = read it, else the expected RocksError code. */
  expectError?: string;
}

const CHECKSUM_CODES: Record<TableConfig['checksum'], number> = { kNoChecksum: 0, kCRC32c: 1, kxxHash: 2, kxxHash64: 3, kXXH3: 4 };

/** Rewrites `key=value` lines of every section of an OPTIONS file. */
export function editOptions(dir: string, values: Record<string, string | number>): void {
  const file = readdirSync(dir)
    .filter((f) => f.startsWith('OPTIONS-'))
    .sort()
    .at(-1);
  if (file === undefined) throw new Error(`no OPTIONS file in ${dir}`);
  let text = readFileSync(join(dir, file), 'utf8');
  for (const [k, v] of Object.entries(values)) {
    const re = new RegExp(`^(\\s*)${k}=.*$`, 'gm');
    if (!re.test(text)) throw new Error(`OPTIONS has no ${k}`);
    text = text.replace(re, `$1${k}=${v}`);
  }
  writeFileSync(join(dir, file), text);
}

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

/**
 * Keys and values for one column family: binary keys with shared prefixes (so blocks
 * delta-encode), empty, small, compressible and multi-KB values.
 */
function contents(rand: () => number, n: number, bigValues: boolean): { keys: string[]; values: string[] } {
  const keys = new Set<string>();
  while (keys.size < n) {
    const prefix = Math.floor(rand() * 6);
    const len = 1 + Math.floor(rand() * 20);
    const k = new Uint8Array(len + 1);
    k[0] = prefix * 37;
    for (let i = 1; i <= len; i++) k[i] = rand() < 0.5 ? Math.floor(rand() * 256) : 0x61 + (i % 7);
    keys.add(hex(k));
  }
  const values = [...keys].map((_, i) => {
    const r = rand();
    const len = r < 0.05 ? 0 : bigValues && r > 0.9 ? 2048 + Math.floor(rand() * 6000) : Math.floor(rand() * 120);
    const v = new Uint8Array(len);
    const random = rand() < 0.3;
    for (let j = 0; j < len; j++) v[j] = random ? Math.floor(rand() * 256) : 0x30 + ((i + j) % 10);
    return hex(v);
  });
  return { keys: [...keys], values };
}

function ssts(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sst'))
    .sort()
    .map((f) => join(dir, f));
}

/**
 * A DB written by `ldb` with `cfg`: per column family a load of ~`n` puts, then overwrites,
 * point deletes (of present and absent keys) and a range deletion in later files.
 */
export function ldbDb(root: string, name: string, cfg: TableConfig, opts: { n?: number; cfs?: string[]; seed?: number; bigValues?: boolean } = {}): GeneratedDb {
  const dir = join(root, name);
  const cfs = ['default', ...(opts.cfs ?? [])];
  const ldb = (args: string[], input?: string) => run('ldb', [`--db=${dir}`, ...args], input);
  ldb(['--create_if_missing', 'put', '__created__', 'x']);
  for (const cf of cfs.slice(1)) ldb(['create_column_family', cf]);
  editOptions(dir, {
    format_version: cfg.formatVersion,
    checksum: cfg.checksum,
    compression: cfg.compression,
    bottommost_compression: 'kDisableCompressionOption',
    disable_auto_compactions: 'true',
    index_type: cfg.indexType ?? 'kBinarySearch',
    data_block_index_type: cfg.dataBlockIndexType ?? 'kDataBlockBinarySearch',
    block_size: cfg.blockSize ?? 4096,
    block_restart_interval: cfg.blockRestartInterval ?? 16,
    index_block_restart_interval: cfg.indexBlockRestartInterval ?? 1,
    metadata_block_size: cfg.metadataBlockSize ?? 4096,
  });
  const rand = prng(opts.seed ?? 1);
  const n = opts.n ?? 300;
  for (const cf of cfs) {
    const w = ['--try_load_options', '--hex', `--column_family=${cf}`];
    const { keys, values } = contents(rand, n, opts.bigValues ?? true);
    ldb([...w, 'load'], keys.map((k, i) => `0x${k} ==> 0x${values[i]}\n`).join(''));
    // a second file: overwrites (newer versions of keys in the first), deletes, absent-key deletes
    const lines: string[] = [];
    for (let i = 0; i < keys.length; i += 7) lines.push(`put 0x${keys[i]} 0x${values[(i + 1) % keys.length]}`);
    for (let i = 3; i < keys.length; i += 11) lines.push(`delete 0x${keys[i]}`);
    lines.push('delete 0xffff00', 'put 0x 0x656d707479');
    ldb([...w, 'query'], lines.join('\n') + '\n');
    const sorted = [...keys].sort();
    ldb([...w, 'deleterange', `0x${sorted[Math.floor(n / 4)]}`, `0x${sorted[Math.floor(n / 3)]}`]);
    ldb([...w, 'deleterange', '0xfe', '0xff']);
  }
  ldb(['--try_load_options', 'put', '__flush__', 'x']);
  return { name, dir, cfs, ssts: ssts(dir), formatVersion: cfg.formatVersion, checksum: CHECKSUM_CODES[cfg.checksum] };
}

/** A DB written by `db_bench` (merges, single deletes): flags as `--name=value`. */
export function benchDb(root: string, name: string, benchmarks: string, flags: Record<string, string | number | boolean>): GeneratedDb {
  const dir = join(root, name);
  const args = [`--db=${dir}`, `--benchmarks=${benchmarks}`, '--seed=7', '--threads=1', '--disable_auto_compactions', '--statistics=false', '--histogram=false'];
  for (const [k, v] of Object.entries(flags)) args.push(v === true ? `--${k}` : `--${k}=${v}`);
  run('db_bench', args);
  return { name, dir, cfs: ['default'], ssts: ssts(dir), formatVersion: Number(flags.format_version ?? 5), checksum: Number(flags.checksum_type ?? 4) };
}

/** The table configurations written with ldb: every compression, checksum and format version. */
export const LDB_CONFIGS: Record<string, TableConfig & { cfs?: string[]; n?: number; bigValues?: boolean; expectError?: string }> = {
  'fv0-crc32c-snappy': { formatVersion: 0, checksum: 'kCRC32c', compression: 'kSnappyCompression', cfs: ['cf-a'] },
  'fv0-crc32c-zlib-legacy': { formatVersion: 0, checksum: 'kCRC32c', compression: 'kZlibCompression', blockSize: 512 },
  'fv1-crc32c-lz4-legacy': { formatVersion: 1, checksum: 'kCRC32c', compression: 'kLZ4Compression', blockSize: 512 },
  'fv1-xxhash-lz4hc-legacy': { formatVersion: 1, checksum: 'kxxHash', compression: 'kLZ4HCCompression' },
  'fv2-xxhash-zlib': { formatVersion: 2, checksum: 'kxxHash', compression: 'kZlibCompression', cfs: ['cf-a', 'cf-b'] },
  'fv2-none-checksum': { formatVersion: 2, checksum: 'kNoChecksum', compression: 'kNoCompression' },
  'fv3-xxhash64-lz4-partitioned': {
    formatVersion: 3,
    checksum: 'kxxHash64',
    compression: 'kLZ4Compression',
    indexType: 'kTwoLevelIndexSearch',
    metadataBlockSize: 128,
    blockSize: 256,
  },
  'fv4-xxh3-lz4hc-delta-index': {
    formatVersion: 4,
    checksum: 'kXXH3',
    compression: 'kLZ4HCCompression',
    indexBlockRestartInterval: 4,
    blockSize: 256,
  },
  'fv4-crc32c-zstd-firstkey': {
    formatVersion: 4,
    checksum: 'kCRC32c',
    compression: 'kZSTD',
    indexType: 'kBinarySearchWithFirstKey',
    indexBlockRestartInterval: 3,
    blockSize: 300,
  },
  'fv5-xxh3-zstd-hash-restart1': {
    formatVersion: 5,
    checksum: 'kXXH3',
    compression: 'kZSTD',
    dataBlockIndexType: 'kDataBlockBinaryAndHash',
    blockRestartInterval: 1,
    cfs: ['cf-a'],
  },
  'fv5-crc32c-none-restart32-small': { formatVersion: 5, checksum: 'kCRC32c', compression: 'kNoCompression', blockRestartInterval: 32, blockSize: 128 },
  'fv5-xxhash64-snappy-partitioned-delta': {
    formatVersion: 5,
    checksum: 'kxxHash64',
    compression: 'kSnappyCompression',
    indexType: 'kTwoLevelIndexSearch',
    indexBlockRestartInterval: 8,
    metadataBlockSize: 200,
    blockSize: 200,
    dataBlockIndexType: 'kDataBlockBinaryAndHash',
  },
  'fv5-xxh3-bzip2': { formatVersion: 5, checksum: 'kXXH3', compression: 'kBZip2Compression', n: 60, bigValues: false, expectError: 'Unsupported' },
};

/** The db_bench DBs: merge operands (two operators) and single deletes over older versions. */
export const BENCH_CONFIGS: Record<string, [string, Record<string, string | number | boolean>]> = {
  'bench-merge-uint64add-fv4': [
    'mergerandom,flush',
    { num: 300, merge_keys: 60, merge_operator: 'uint64add', value_size: 8, key_size: 12, compression_type: 'lz4hc', format_version: 4, checksum_type: 3, block_size: 256, index_block_restart_interval: 4, use_data_block_hash_index: true },
  ],
  'bench-merge-stringappend-fv5': [
    'mergerandom,flush',
    { num: 200, merge_keys: 40, merge_operator: 'stringappend', value_size: 30, key_size: 16, compression_type: 'zstd', format_version: 5, checksum_type: 4, partition_index: true, metadata_block_size: 128, block_size: 256 },
  ],
  'bench-singledelete-fv3': [
    'randomreplacekeys,flush',
    { num: 150, value_size: 20, key_size: 12, compression_type: 'snappy', format_version: 3, checksum_type: 2, block_size: 512, block_restart_interval: 4 },
  ],
};

/** Writes every DB under `root` (a fresh temp dir). */
export function generateAll(root: string): GeneratedDb[] {
  const out: GeneratedDb[] = [];
  for (const [name, cfg] of Object.entries(LDB_CONFIGS)) {
    const db = ldbDb(root, name, cfg, { cfs: cfg.cfs, n: cfg.n, bigValues: cfg.bigValues, seed: out.length + 1 });
    out.push(cfg.expectError === undefined ? db : { ...db, expectError: cfg.expectError });
  }
  for (const [name, [benchmarks, flags]] of Object.entries(BENCH_CONFIGS)) out.push(benchDb(root, name, benchmarks, flags));
  return out;
}
