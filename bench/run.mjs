// `pnpm bench`: every benchmark of bench/ in one run, on one machine, on the same inputs; prints a
// table of ratios and writes bench/results.json. Not a test: nothing here asserts times.
//   BENCH_ROUNDS (default 12)  BENCH_BIG_ROUNDS (inputs > 50 MB, default 3)
//   BENCH_STORAGE_MIB (default 64)  BENCH_NO_HDFS=1 (skip the MiniDFSCluster backend)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runFormat, TUNED_NODE_FLAGS } from './format.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
mkdirSync(out, { recursive: true });
const started = Date.now();
const log = (m) => console.error(`[${((Date.now() - started) / 1000).toFixed(0)}s] ${m}`);

const java = (() => {
  try {
    return spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr.split('\n')[0].trim();
  } catch {
    return 'java: not found';
  }
})();
const machine = {
  cpu: cpus()[0]?.model ?? '?',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  java,
  flink: '2.3.0',
  loadAverageAtStart: loadavg().map((x) => Number(x.toFixed(2))),
};

/** One line of the ratio table: `ratio` is ckpt speed / baseline speed (above 1: ckpt is faster). */
const rows = [];
const row = (kase, input, ckpt, baseline, ratio, target) => rows.push({ case: kase, input, ckpt, baseline, ratio, target });
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

// ---- _metadata decode / encode / memory
const format = runFormat({
  rounds: Number(process.env.BENCH_ROUNDS ?? 12),
  bigRounds: Number(process.env.BENCH_BIG_ROUNDS ?? 3),
  log,
});
for (const r of format.results) {
  const label = `${r.input} (${(r.bytes / 2 ** 20).toFixed(1)} MiB${r.handles ? `, ${r.handles.toExponential(1)} handles` : ''})`;
  // time, MB/s and (synthetic inputs) handles/s
  const rate = (t) => `${ms(t)}, ${(r.bytes / 1e6 / (t / 1000)).toFixed(0)} MB/s${r.handles ? `, ${(r.handles / (t / 1000)).toExponential(1)} h/s` : ''}`;
  if (r.flink) {
    row('decode vs Flink loadCheckpointMetadata', label, rate(r.ckpt.decodeMinMs), rate(r.flink.decodeMinMs), r.decodeVsFlink, '≥ 2');
    row(`  same, node ${TUNED_NODE_FLAGS.join(' ')}`, label, rate(r.ckptTuned.decodeMinMs), rate(r.flink.decodeMinMs), r.decodeVsFlinkTuned, '≥ 2');
    row('encode vs Flink storeCheckpointMetadata', label, rate(r.ckpt.encodeMinMs), rate(r.flink.encodeMinMs), r.encodeVsFlink, '≥ 1');
    row(`  same, node ${TUNED_NODE_FLAGS.join(' ')}`, label, rate(r.ckptTuned.encodeMinMs), rate(r.flink.encodeMinMs), r.encodeVsFlinkTuned, '≥ 1');
  }
}
// memory: the process's max RSS counts the pages of the `node` binary it touched (~34-40 MiB of
// code, shared by every node process); the 64 MB target is held against the private memory the
// summary allocates, and the process peak is shown next to it
const MB = (mib) => (mib * 2 ** 20) / 1e6;
const summaryRow = (kase, input, m) =>
  row(kase, input, `${MB(m.privateMiB).toFixed(1)} MB private (process peak ${MB(m.peakMiB).toFixed(1)} MB)`, '64 MB', MB(m.privateMiB) / 64, '≤ 1');
for (const r of format.results.filter((x) => x.memory)) {
  const mib = r.bytes / 2 ** 20;
  const label = `${r.input} (${mib.toFixed(1)} MiB)`;
  const m = r.memory;
  row('decode peak RSS over idle node / file size', label, `${(m.decode.peakMiB - m.idle.peakMiB).toFixed(0)} MiB`, `${mib.toFixed(1)} MiB`, (m.decode.peakMiB - m.idle.peakMiB) / mib, '-');
  row('`ckpt inspect --stream` peak RSS / full decode', label, `${m.cliStream.peakMiB.toFixed(0)} MiB`, `${m.decode.peakMiB.toFixed(0)} MiB full decode`, m.cliStream.peakMiB / m.decode.peakMiB, '-');
  summaryRow('streaming summary (library) memory', label, m.summary);
  summaryRow('`ckpt inspect --stream` memory', label, m.cliStream);
}

for (const g of format.generatedStreams ?? []) {
  const input = `${(g.bytes / 1e9).toFixed(g.bytes < 1e8 ? 3 : 2)} GB: 1 MB record × ${g.operators}`;
  const who = g.job === 'cli' ? '`ckpt inspect --stream`, file' : `streaming summary (library), ${g.flags.length ? `node ${g.flags.join(' ')}` : 'default node flags'}`;
  summaryRow(`${who} memory`, input, g);
}

// ---- storage stream + digest vs raw SDK / cat
log('storage: loopback servers');
const storageArgs = ['tsx', join(root, 'bench', 'storage.ts'), String(process.env.BENCH_STORAGE_MIB ?? 64)];
if (process.env.BENCH_NO_HDFS) storageArgs.push('--no-hdfs');
const st = spawnSync('npx', storageArgs, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let storage = null;
if (st.status === 0 && existsSync(join(out, 'storage.json'))) {
  storage = JSON.parse(readFileSync(join(out, 'storage.json'), 'utf8'));
  for (const s of storage.rows) {
    // s.measure: 'stream + sha256' or 'stream only' (no digest; absent in older storage.json)
    const what = (s.measure ?? 'stream + sha256').replace(/ \+ /g, '+');
    // stream+sha256 against cat compares a digest with a plain copy: shown, no target
    const target = s.measure !== 'stream only' && s.baseline.startsWith('cat') ? '-' : '≥ 0.9';
    row(`storage ${what} vs ${s.baseline}`, `${s.backend} (${storage.sizeMiB} MiB)`, ms(s.ckptMs), ms(s.baseMs), s.baseMs / s.ckptMs, target);
  }
} else {
  log(`storage bench failed (exit ${st.status}): ${st.stderr.split('\n').slice(-5).join(' | ')}`);
}

/** Runs a bench script that prints {rows, …} as JSON; its rows join the table. The parsed output, or null. */
function scriptRows(file, what) {
  if (!existsSync(join(root, 'bench', file))) return null;
  log(what);
  try {
    const r = JSON.parse(execFileSync(process.execPath, [join(root, 'bench', file)], { cwd: root, encoding: 'utf8', maxBuffer: 1 << 26 }));
    for (const k of r.rows) row(k.case, k.input, k.ckpt, k.baseline, k.ratio, k.target ?? '-');
    return r;
  } catch (e) {
    log(`${file} failed: ${String(e).split('\n')[0]}`);
    return null;
  }
}

// ---- keyed-state read vs Flink's State Processor API
const keyed = scriptRows('keyed.mjs', 'keyed state: ckpt vs State Processor API (heap, RocksDB native savepoint, RocksDB incremental checkpoint: small inputs and 10^6-entry ones Flink writes into bench/out/ once)');

// ---- conversion of RocksDB state into a canonical savepoint vs Flink's State Processor API / restore + stop-with-savepoint
const convert = scriptRows('convert.mjs', 'conversion to a canonical savepoint: ckpt rekey vs Flink (State Processor API, restore + stop-with-savepoint CANONICAL) on the 10^6-entry RocksDB inputs');

// ---- RocksDB SST scan vs RocksJava and sst_dump (input written by RocksJava into bench/out/ once)
const rocksdbScan = scriptRows('rocksdb-scan.mjs', 'RocksDB SST scan: @ckpt/rocksdb vs RocksJava SstFileReader and sst_dump (≥ 256 MB of SSTs)');

// ---- the static viewer: time-to-summary in Chromium vs `ckpt inspect --stream`, main-thread tasks
const web = scriptRows('web.mjs', 'web viewer: time to summary of synthetic-xl in headless Chromium vs `ckpt inspect --stream`, longest main-thread task');

// ---- assignment plan (bench/assign.mjs, when present, writes bench/out/assign.json)
let assign = null;
if (existsSync(join(root, 'bench', 'assign.mjs'))) {
  log('assignment plan: bench/assign.mjs');
  const a = spawnSync(process.execPath, [join(root, 'bench', 'assign.mjs')], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (a.status === 0 && existsSync(join(out, 'assign.json'))) {
    assign = JSON.parse(readFileSync(join(out, 'assign.json'), 'utf8'));
    // bench/assign.mjs: { case: {parallelism, maxParallelism, operators, chain, storedParallelism,
    // parts, operatorsPerPart, …}, ckpt: {minMs, peakRssMiB}, flink: {minMs, peakRssMiB} }; the
    // ratio here is speed (Flink time / ckpt time)
    const c = assign.case;
    const parts = c.parts > 1 ? `, as ${c.parts} plans of ${c.operatorsPerPart} ops (time summed)` : '';
    const input = `p ${c.storedParallelism}→${c.parallelism}, maxp ${c.maxParallelism}, ${c.operators} ops in chains of ${c.chain}${parts}`;
    row('assignment plan vs StateAssignmentOperation', input, ms(assign.ckpt.minMs), ms(assign.flink.minMs), assign.flink.minMs / assign.ckpt.minMs, '≥ 1');
    if (assign.ckpt.peakRssMiB && assign.flink.peakRssMiB) {
      // a memory row: ckpt's peak RSS / Flink's (below 1: ckpt needs less)
      row('  same, peak RSS of the process (node / JVM)', input, `${assign.ckpt.peakRssMiB} MiB`, `${assign.flink.peakRssMiB} MiB`, assign.ckpt.peakRssMiB / assign.flink.peakRssMiB, '-');
    }
  } else {
    log(`bench/assign.mjs failed (exit ${a.status}): ${a.stderr.split('\n').slice(-5).join(' | ')}`);
  }
}

// ---- table
const width = (k) => Math.max(k.length, ...rows.map((r) => String(r[k]).length));
const cols = ['case', 'input', 'ckpt', 'baseline'];
const w = Object.fromEntries(cols.map((c) => [c, width(c)]));
console.log(`machine: ${machine.cpu} × ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${machine.node}, ${machine.java}, Flink ${machine.flink}; load average at start ${machine.loadAverageAtStart.join(' ')}`);
console.log('times: min of repeated warmed runs (median in bench/results.json); ratio = ckpt speed / baseline speed, above 1: ckpt is faster (memory rows: ckpt MiB / reference MiB)');
console.log([...cols.map((c) => c.padEnd(w[c])), 'ratio'.padStart(7), '  target'].join('  '));
/** Whether a ratio meets a target written `≥ x` / `≤ x` ('' where there is no target). */
const meets = (ratio, target) => {
  const m = /^([≥≤]) ([\d.]+)$/.exec(target);
  if (!m || !Number.isFinite(ratio)) return '';
  return (m[1] === '≥' ? ratio >= Number(m[2]) : ratio <= Number(m[2])) ? 'met' : 'NOT MET';
};
for (const r of rows) {
  r.met = meets(r.ratio, r.target);
  console.log([...cols.map((c) => String(r[c]).padEnd(w[c])), (Number.isFinite(r.ratio) ? r.ratio.toFixed(2) : '-').padStart(7), `  ${String(r.target).padEnd(6)}`, r.met].join('  '));
}
writeFileSync(
  join(root, 'bench', 'results.json'),
  JSON.stringify({ date: new Date().toISOString(), machine, seconds: Math.round((Date.now() - started) / 1000), table: rows, format, storage, keyed, convert, rocksdbScan, web, assign }, null, 2) + '\n',
);
log('wrote bench/results.json');
