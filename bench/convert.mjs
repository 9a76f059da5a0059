// Conversion into a canonical savepoint: the keyed job's RocksDB state of 10^6 entries (a NATIVE
// savepoint and a retained incremental checkpoint that Flink 2.3.0 writes into bench/out/ once,
// keyed-inputs.mjs) turned into a canonical savepoint by ckpt (`rekeySavepoint`, the library call
// of `ckpt rekey SRC --out DIR`) and by what a user does without ckpt (conformance/
// KeyedConvert.java): the State Processor API (read on embedded RocksDB, written with
// SavepointWriter on HashMap) and the job restored and stopped with a CANONICAL savepoint. Process
// start excluded (warmed, in-process, min of rounds) and included (fresh process). Every side's
// output is read back and counted: ckpt's by ckpt and by Flink's State Processor API, Flink's by
// Flink; a count that is not the generator's fails the case. MB/s = input bytes (all files of the
// snapshot) / time. Prints {inputs, rows} as JSON for bench/run.mjs.
//   node bench/convert.mjs [--only rocksdb-native|rocksdb-incremental]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata } from '../packages/format/dist/bundle/index.js';
import { KeyedStateFile } from '../packages/state/dist/bundle/index.js';
import { rekeySavepoint, storageResolver } from '../packages/state/dist/bundle/node/index.js';
import { dirBytes, generated } from './keyed-inputs.mjs';
import { elapsedMs, timeAsync } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = join(root, 'conformance', 'run.sh');
const work = join(root, 'bench', 'out', 'convert');
const env = process.env;
const BIG = { keys: Number(env.BENCH_KEYED_KEYS ?? 200_000), perKey: Number(env.BENCH_KEYED_PER_KEY ?? 2) };
const ROUNDS = { ckpt: Number(env.BENCH_CONVERT_ROUNDS ?? 3), flink: Number(env.BENCH_CONVERT_FLINK_ROUNDS ?? 2) };
const STATES = new Set(['sum', 'values', 'byValue', 'max']);
const log = (m) => process.stderr.write(`convert: ${m}\n`);
const VARIANTS = { 'rocksdb-native': 'RocksDB native savepoint', 'rocksdb-incremental': 'RocksDB incremental checkpoint' };

/** ckpt's conversion of `src` into `out` (removed first); entries it wrote and bytes of the output. */
async function ckptConvert(src, out) {
  rmSync(out, { recursive: true, force: true });
  const r = await rekeySavepoint(src, { out });
  const keyed = r.operators.find((o) => o.uid === 'keyed');
  return { entries: keyed?.entries ?? 0, bytes: dirBytes(out) };
}

/** Every entry of the four states in a canonical savepoint, read by ckpt. */
async function countCanonical(dir) {
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
  const op = meta.operators.find((o) => o.uid === 'keyed');
  const resolver = storageResolver(dir);
  let n = 0;
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h === null) continue;
    const kf = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
    for await (const e of kf.entries()) if (STATES.has(e.state)) n++;
  }
  return n;
}

/** The last JSON line a command printed. */
function jsonOut(cmd, args) {
  const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
  // Java prints NaN where there was nothing to time
  return JSON.parse(out.trim().split('\n').filter((l) => l.startsWith('{')).at(-1).replace(/\bNaN\b/g, 'null'));
}

/** Wall clock of one fresh process, and its peak RSS in MiB (GNU time's %M) when /usr/bin/time exists. */
function wallMs(cmd, args) {
  const rssFile = join(work, 'maxrss');
  const timed = existsSync('/usr/bin/time');
  const t0 = process.hrtime.bigint();
  if (timed) execFileSync('/usr/bin/time', ['-f', '%M', '-o', rssFile, cmd, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  else execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const ms = elapsedMs(t0);
  return { ms, peakRssMiB: timed ? Number(readFileSync(rssFile, 'utf8').trim().split('\n').at(-1)) / 1024 : null };
}

function fail(m) {
  throw new Error(`convert: ${m}`);
}

async function measure(variant) {
  const input = generated(`keyed-bench-${variant}`, variant, BIG, log);
  const name = `Flink 2.3.0 ${VARIANTS[variant]}, ${BIG.keys} keys × ${BIG.perKey}`;
  const t0 = Date.now();
  const load = [loadavg()[0]];
  // ckpt, in this process
  const out = join(work, `${variant}-ckpt`);
  const first = await ckptConvert(input.dir, out);
  if (first.entries !== input.expected) fail(`${name}: ckpt wrote ${first.entries} entries, the generator wrote ${input.expected}`);
  const readBack = await countCanonical(out);
  if (readBack !== input.expected) fail(`${name}: ckpt's output holds ${readBack} entries (read by ckpt), not ${input.expected}`);
  const ckpt = await timeAsync(() => ckptConvert(input.dir, out), { rounds: ROUNDS.ckpt, warmup: 0 });
  // ckpt's output read by Flink (HashMap backend): the result is a savepoint Flink reads whole
  const flinkReadsCkpt = jsonOut(run, ['2.3', 'keyed-read', out, '0']).entries;
  if (flinkReadsCkpt !== input.expected) fail(`${name}: Flink reads ${flinkReadsCkpt} entries from ckpt's output, not ${input.expected}`);
  // ckpt, fresh process: the CLI
  const cliOut = join(work, `${variant}-ckpt-cli`);
  let ckptColdMs = Infinity;
  let ckptPeakRssMiB = 0;
  for (let i = 0; i < 2; i++) {
    rmSync(cliOut, { recursive: true, force: true });
    const w = wallMs(process.execPath, [join(root, 'packages', 'cli', 'dist', 'bin.js'), 'rekey', input.dir, '--out', cliOut]);
    ckptColdMs = Math.min(ckptColdMs, w.ms);
    ckptPeakRssMiB = Math.max(ckptPeakRssMiB, w.peakRssMiB ?? 0);
  }
  log(`${name}: ckpt ${ckpt.minMs.toFixed(0)} ms warm, ${ckptColdMs.toFixed(0)} ms fresh CLI (peak RSS ${ckptPeakRssMiB.toFixed(0)} MiB), ${first.bytes} bytes written, read back ${readBack} (ckpt) / ${flinkReadsCkpt} (Flink)`);
  // Flink: State Processor API, then restore + stop-with-savepoint
  const flink = {};
  for (const [how, extra] of [
    ['spa', []],
    ['restore', [String(BIG.keys), String(BIG.perKey)]],
  ]) {
    const dir = join(work, `${variant}-flink-${how}`);
    const warm = jsonOut(run, ['2.3', 'keyed-convert', how, input.dir, dir, String(ROUNDS.flink), ...extra]);
    if (warm.entries !== input.expected) fail(`${name}: Flink (${how}) wrote ${warm.entries} entries, not ${input.expected}`);
    const cold = wallMs(run, ['2.3', 'keyed-convert', how, input.dir, dir, '0', ...extra]);
    flink[how] = { ...warm, coldMs: cold.ms, peakRssMiB: cold.peakRssMiB };
    log(`${name}: Flink ${how} ${warm.convertMinMs.toFixed(0)} ms warm, ${cold.ms.toFixed(0)} ms fresh JVM (peak RSS ${cold.peakRssMiB?.toFixed(0)} MiB), ${warm.bytes} bytes written`);
    rmSync(dir, { recursive: true, force: true });
  }
  rmSync(out, { recursive: true, force: true });
  rmSync(cliOut, { recursive: true, force: true });
  load.push(loadavg()[0]);
  log(`${name}: ${((Date.now() - t0) / 1000).toFixed(0)} s, load average ${load.map((x) => x.toFixed(2)).join(' → ')}`);
  return { variant, name, inputBytes: input.bytes, entries: input.expected, ckpt: { ...ckpt, coldMs: ckptColdMs, peakRssMiB: ckptPeakRssMiB, bytes: first.bytes, readBack, flinkReadsCkpt }, flink, loadAverage: load };
}

function rows(m) {
  const mbps = (ms) => `${(m.inputBytes / 1e6 / (ms / 1000)).toFixed(1)} MB/s (${ms.toFixed(0)} ms)`;
  const input = `${m.name} (${m.entries.toLocaleString('en-US')} entries, ${(m.inputBytes / 2 ** 20).toFixed(1)} MiB)`;
  const out = [];
  for (const [how, label] of [
    ['spa', 'State Processor API → HashMap savepoint'],
    ['restore', 'restore + stop-with-savepoint CANONICAL'],
  ]) {
    const f = m.flink[how];
    const written = `; writes ${(m.ckpt.bytes / 2 ** 20).toFixed(1)} / ${(f.bytes / 2 ** 20).toFixed(1)} MiB`;
    out.push({ case: `conversion to canonical vs Flink ${label}, start excluded${written}`, input, ckpt: mbps(m.ckpt.minMs), baseline: mbps(f.convertMinMs), ratio: f.convertMinMs / m.ckpt.minMs, target: '-' });
    out.push({ case: `conversion to canonical vs Flink ${label}, start included`, input, ckpt: mbps(m.ckpt.coldMs), baseline: mbps(f.coldMs), ratio: f.coldMs / m.ckpt.coldMs, target: '-' });
  }
  const spaRss = m.flink.spa.peakRssMiB;
  if (m.ckpt.peakRssMiB && spaRss) {
    out.push({ case: 'conversion to canonical, peak RSS of the fresh process (`ckpt rekey` / SPA JVM)', input, ckpt: `${m.ckpt.peakRssMiB.toFixed(0)} MiB`, baseline: `${spaRss.toFixed(0)} MiB`, ratio: m.ckpt.peakRssMiB / spaRss, target: '-' });
  }
  return out;
}

const only = process.argv[2] === '--only' ? process.argv[3] : undefined;
const variants = Object.keys(VARIANTS).filter((v) => only === undefined || v === only);
if (variants.length === 0) throw new Error(`--only: one of ${Object.keys(VARIANTS).join(', ')}`);
mkdirSync(work, { recursive: true });
const results = [];
for (const v of variants) results.push(await measure(v));
rmSync(work, { recursive: true, force: true });
console.log(JSON.stringify({ big: BIG, results, rows: results.flatMap(rows) }));
