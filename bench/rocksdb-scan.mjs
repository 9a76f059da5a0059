// SST scan throughput: every entry of ≥ 256 MB of Snappy SSTs that RocksJava wrote with Flink's
// options (conformance/ RocksOracle.java, Flink 2.3's frocksdbjni 8.10: format_version 5, XXH3),
// read by @ckpt/rocksdb (pointEntryBatches, copying every entry out, and a bare TableIterator that copies nothing), by RocksJava's
// SstFileReader iterator (warmed, in one JVM) and by Debian's `sst_dump --command=scan` (output to
// /dev/null), all in this run on the same files from the page cache, every side verifying block
// checksums. Peak RSS of a fresh node process scanning one small file, one large file and all files
// shows that memory does not grow with the file size.
// The input is written once into bench/out/rocksdb-scan/ and reused while the generator is unchanged.
// Prints {input, results, rows} as JSON for bench/run.mjs.   node bench/rocksdb-scan.mjs
//   BENCH_ROCKSDB_ROUNDS (3)  BENCH_ROCKSDB_ENTRIES (3 600 000)
// Child mode (peak RSS): node bench/rocksdb-scan.mjs --child FILE...
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, readSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SstTable, TableIterator, pointEntryBatches } from '../packages/rocksdb/dist/bundle/index.js';
import { elapsedMs, summary } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = join(root, 'conformance', 'run.sh');
const env = process.env;
const ROUNDS = Number(env.BENCH_ROCKSDB_ROUNDS ?? 3);
const ENTRIES = Number(env.BENCH_ROCKSDB_ENTRIES ?? 3_600_000);
const log = (m) => process.stderr.write(`rocksdb-scan: ${m}\n`);

/** A local file read with positioned reads on one open descriptor (the ranged source the table reads through). */
class FdSource {
  constructor(name) {
    this.name = name;
    this.fd = openSync(name, 'r');
    this.bytes = statSync(name).size;
  }
  size() {
    return Promise.resolve(this.bytes);
  }
  read(offset, length) {
    const buf = Buffer.allocUnsafe(Math.max(0, Math.min(length, this.bytes - offset)));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(this.fd, buf, got, buf.length - got, offset + got);
      if (n === 0) break;
      got += n;
    }
    return Promise.resolve(buf.subarray(0, got));
  }
  close() {
    closeSync(this.fd);
  }
}

/** `scan(table, count)` over every file, each opened through an FdSource; entries and key + value bytes summed. */
async function overTables(files, scan) {
  const n = { entries: 0, bytes: 0 };
  const count = (key, value) => {
    n.entries++;
    n.bytes += key.length + value.length;
  };
  for (const f of files) {
    const src = new FdSource(f);
    try {
      await scan(await SstTable.open(src), count);
    } finally {
      src.close();
    }
  }
  return n;
}

/** Every point entry of every file, copied out as InternalEntry objects, a data block at a time (`pointEntryBatches`). */
const scanEntries = (files) =>
  overTables(files, async (table, count) => {
    for await (const batch of pointEntryBatches(table)) for (const e of batch) count(e.key, e.value);
  });

/** The same walk with a TableIterator: key (internal) and value are views into the block, nothing is copied. */
const scanIterator = (files) =>
  overTables(files, async (table, count) => {
    const it = new TableIterator(table);
    let ok = await it.seekToFirst();
    while (ok) {
      count(it.key(), it.value());
      const r = it.next();
      ok = r === true || (r !== false && (await r));
    }
  });

if (process.argv[2] === '--child') {
  const files = process.argv.slice(3);
  const t0 = process.hrtime.bigint();
  const r = await scanEntries(files);
  const status = readFileSync('/proc/self/status', 'utf8');
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  process.stdout.write(JSON.stringify({ ...r, ms: elapsedMs(t0), maxRssMiB: process.resourceUsage().maxRSS / 1024, rssAnonMiB: kib('RssAnon') / 1024 }) + '\n');
  process.exit(0);
}

/** The input: one column family of ENTRIES Flink-like entries (~64 MB files) and a small one (one ~15 MB file). */
function input() {
  const dir = join(root, 'bench', 'out', 'rocksdb-scan');
  const spec = {
    columnFamilies: ['value-state', 'small-state'],
    writeBufferMiB: 256,
    ops: [
      { op: 'fill', cf: 'value-state', count: ENTRIES, seed: 1, valueBytes: 100, keyGroups: 128, flushEveryMiB: 88 },
      { op: 'fill', cf: 'small-state', count: Math.round(ENTRIES / 16), seed: 2, valueBytes: 100, keyGroups: 128, flushEveryMiB: 1024 },
    ],
  };
  const generator = readFileSync(join(root, 'conformance', 'src', 'main', 'java', 'dev', 'ckpt', 'conformance', 'RocksOracle.java'));
  const stamp = createHash('sha256').update(generator).update(JSON.stringify(spec)).digest('hex');
  const stampFile = join(dir, 'stamp');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log(`writing ${ENTRIES} + ${spec.ops[1].count} entries with RocksJava (Flink 2.3 options) into bench/out/rocksdb-scan/ (once)`);
    const t0 = Date.now();
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'spec.json'), JSON.stringify(spec));
    execFileSync(run, ['2.3', 'rocks-oracle', 'write', join(dir, 'db'), join(dir, 'spec.json')], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(stampFile, stamp);
    log(`written in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const files = readdirSync(join(dir, 'db'))
    .filter((f) => f.endsWith('.sst'))
    .sort()
    .map((f) => join(dir, 'db', f));
  const sizes = files.map((f) => statSync(f).size);
  return { files, sizes, bytes: sizes.reduce((a, b) => a + b, 0) };
}

/** `rounds` timed calls after one warm-up; min/median ms and the last call's result. */
async function timed(fn) {
  let last = await fn();
  const ms = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = process.hrtime.bigint();
    last = await fn();
    ms.push(elapsedMs(t0));
  }
  return { ...summary(ms), ...last };
}

function sstDump(files) {
  const devNull = openSync('/dev/null', 'w');
  try {
    for (const f of files) {
      const r = spawnSync('sst_dump', [`--file=${f}`, '--command=scan', '--verify_checksum'], { stdio: ['ignore', devNull, 'pipe'] });
      if (r.status !== 0) throw new Error(`sst_dump failed on ${f}: ${String(r.stderr).slice(-300)}`);
    }
  } finally {
    closeSync(devNull);
  }
  return {};
}

function child(files) {
  const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', ...files], { cwd: root, encoding: 'utf8' });
  return JSON.parse(out);
}

const inp = input();
const { files } = inp;
const mb = inp.bytes / 1e6;
log(`${files.length} files, ${mb.toFixed(0)} MB (${inp.sizes.map((s) => (s / 1e6).toFixed(1)).join(', ')} MB)`);

log('ckpt: pointEntryBatches');
const entries = await timed(() => scanEntries(files));
log('ckpt: TableIterator');
const iterator = await timed(() => scanIterator(files));
log('RocksJava: SstFileReader (Flink 2.3 frocksdbjni)');
const java = JSON.parse(
  execFileSync(run, ['2.3', 'rocks-oracle', 'sst-bench', String(ROUNDS), '--warmup', '1', ...files], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }),
);
let dump = null;
if (spawnSync('sst_dump', ['--help'], { stdio: 'ignore' }).error === undefined) {
  log('sst_dump --command=scan');
  dump = await timed(async () => sstDump(files));
} else log('sst_dump not installed (Debian rocksdb-tools): row left out');
for (const r of [iterator, java]) {
  if (r.entries !== entries.entries) throw new Error(`entry counts differ: pointEntryBatches ${entries.entries}, other side ${r.entries}`);
}

log('peak RSS: fresh node per input');
const bySize = files.map((f, i) => ({ f, size: inp.sizes[i] })).sort((a, b) => a.size - b.size);
const memory = [
  { input: `smallest file (${(bySize[0].size / 1e6).toFixed(0)} MB)`, ...child([bySize[0].f]) },
  { input: `largest file (${(bySize.at(-1).size / 1e6).toFixed(0)} MB)`, ...child([bySize.at(-1).f]) },
  { input: `all ${files.length} files (${mb.toFixed(0)} MB)`, ...child(files) },
];

const rate = (ms, n) => `${(mb / (ms / 1000)).toFixed(0)} MB/s, ${(n / (ms / 1000) / 1e6).toFixed(2)} M entries/s`;
const label = `${files.length} Snappy SSTs, ${mb.toFixed(0)} MB, ${(entries.entries / 1e6).toFixed(2)} M entries`;
const show = (r) => `${r.minMs.toFixed(0)} ms (${rate(r.minMs, entries.entries)})`;
const rows = [
  { case: 'SST scan, entries copied out (pointEntryBatches) vs RocksJava SstFileReader', input: label, ckpt: show(entries), baseline: show(java), ratio: java.minMs / entries.minMs, target: '≥ 1' },
  { case: '  same, TableIterator (no copies)', input: label, ckpt: show(iterator), baseline: show(java), ratio: java.minMs / iterator.minMs, target: '≥ 1' },
];
if (dump) rows.push({ case: 'SST scan, TableIterator vs sst_dump --command=scan', input: label, ckpt: show(iterator), baseline: show(dump), ratio: dump.minMs / iterator.minMs, target: '-' });
const small = memory[0];
const all = memory[2];
rows.push({
  case: 'SST scan peak RSS, all files / smallest file',
  input: `${memory.map((m) => `${m.input}: ${m.maxRssMiB.toFixed(0)} MiB`).join('; ')}`,
  ckpt: `${all.maxRssMiB.toFixed(0)} MiB`,
  baseline: `${small.maxRssMiB.toFixed(0)} MiB`,
  ratio: all.maxRssMiB / small.maxRssMiB,
  target: '≤ 1.1',
});
const result = { input: { files: files.length, bytes: inp.bytes, sizes: inp.sizes, entries: entries.entries }, results: { entries, iterator, java, sstDump: dump, memory }, rows };
writeFileSync(join(root, 'bench', 'out', 'rocksdb-scan.json'), JSON.stringify(result, null, 2) + '\n');
process.stdout.write(JSON.stringify(result) + '\n');
