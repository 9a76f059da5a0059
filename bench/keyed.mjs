// Keyed-state read: every entry of the keyed job's operator (uid `keyed`) of a real savepoint or
// checkpoint, ckpt (@ckpt/state) against Flink's State Processor API (conformance/ KeyedRead.java,
// Flink 2.3), with process start excluded (warmed, in-process) and included (fresh process per read).
// Three kinds of state, each as a small input (per-call overhead) and a large one of the same job
// (10^6 entries: throughput, generated on demand into bench/out/ by `conformance/run.sh 2.3
// keyed-bench-savepoint` and reused while its generator is unchanged):
//   heap                 canonical savepoint of the HashMap backend (KeyedStateFile; SPA on HashMap)
//   rocksdb-native       NATIVE savepoint of the RocksDB backend (RocksDbKeyedState; SPA on the
//   rocksdb-incremental  retained incremental checkpoint of it        embedded RocksDB backend)
// For RocksDB also ckpt's peak RSS (fresh process) on the large input against the small one.
// Prints {inputs, rows} as JSON for bench/run.mjs.
//   node bench/keyed.mjs [--only heap|rocksdb-native|rocksdb-incremental|rocksdb]   node bench/keyed.mjs --once DIR
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata } from '../packages/format/dist/bundle/index.js';
import { KeyedStateFile, RocksDbKeyedState } from '../packages/state/dist/bundle/index.js';
import { storageResolver } from '../packages/state/dist/bundle/node/index.js';
import { elapsedMs, timeAsync } from './timing.mjs';
import { dirBytes, generated as generatedInput } from './keyed-inputs.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = join(root, 'conformance', 'run.sh');
const STATES = new Set(['sum', 'values', 'byValue', 'max']);
const env = process.env;
/** Keys × values per key of the large input: KEYS × (3 + PER_KEY) entries (sum, list, max + map entries). */
const BIG = { keys: Number(env.BENCH_KEYED_KEYS ?? 200_000), perKey: Number(env.BENCH_KEYED_PER_KEY ?? 2) };
/** A tenth of the large input (peak memory against 10× the state). */
const MEDIUM = { keys: Math.max(1, Math.round(BIG.keys / 10)), perKey: BIG.perKey };
/** The small input where no relocatable fixture exists: 26 keys × 2, the fixture's 130 entries. */
const SMALL = { keys: 26, perKey: 2 };
const log = (m) => process.stderr.write(`keyed: ${m}\n`);

/** What each kind of state is read from; `flinkArgs` go after `keyed-read DIR ROUNDS`. */
const VARIANTS = {
  heap: { label: 'heap savepoint', fixture: 'keyed-hashmap-savepoint', flinkArgs: [] },
  'rocksdb-native': { label: 'RocksDB native savepoint', fixture: 'keyed-rocksdb-native-savepoint', flinkArgs: ['rocksdb'], targets: true },
  // the fixture's checkpoint names its shared files by absolute paths of where it was generated:
  // the small input is written here by the same generator as the large one
  'rocksdb-incremental': { label: 'RocksDB incremental checkpoint', fixture: null, flinkArgs: ['rocksdb'], targets: true },
};

/** Reads every entry of the four states the Java side reads (DIR holds `_metadata`); returns how many there are. */
async function readAll(dir) {
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
  const op = meta.operators.find((o) => o.uid === 'keyed');
  if (!op) throw new Error(`no operator with uid keyed in ${dir}`);
  const resolver = storageResolver(dir);
  const opts = { maxParallelism: op.maxParallelism };
  let n = 0;
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h === null) continue;
    if (h.kind === 'incremental') {
      // as `ckpt dump-state` reads it (operatorEntries): an array of decoded entries per key group
      const state = await RocksDbKeyedState.open(h, (x) => resolver.resolve(x), opts);
      for await (const group of state.keyGroupEntries()) for (const e of group) if (STATES.has(e.state)) n++;
    } else if (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') {
      const state = await KeyedStateFile.open(h, resolver.resolve(h.delegate), opts);
      for await (const e of state.entries()) if (STATES.has(e.state)) n++;
    } else throw new Error(`unexpected ${h.kind} handle`);
  }
  return n;
}

const generated = (name, variant, size) => generatedInput(name, variant, size, log);

/** Wall-clock time of one fresh process, and the last line it printed. */
function wallMs(cmd, args) {
  const t0 = process.hrtime.bigint();
  const out = execFileSync(cmd, args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return { ms: elapsedMs(t0), printed: out.trim().split('\n').at(-1) };
}

/**
 * Fresh processes of both sides, `reps` each, taking turns (ckpt, Flink, ckpt, …) so that a slower
 * spell of the machine hits both alike; best of each side (the same number of tries for both).
 */
function freshPairs(ckpt, flink, reps) {
  const c = [];
  const f = [];
  for (let i = 0; i < reps; i++) {
    c.push(wallMs(...ckpt));
    f.push(wallMs(...flink).ms);
  }
  return { ckptMs: Math.min(...c.map((x) => x.ms)), ckptPrinted: c.map((x) => x.printed), flinkMs: Math.min(...f) };
}

/** ckpt's fresh `--once` processes on `dir`: the entries each counted and the largest peak RSS (MiB). */
function onceRss(dir, reps) {
  const runs = Array.from({ length: reps }, () => JSON.parse(wallMs(process.execPath, [join(root, 'bench', 'keyed.mjs'), '--once', dir]).printed));
  return { entries: runs.map((o) => o.entries), peakRssMiB: Math.max(...runs.map((o) => o.maxRssKiB)) / 1024 };
}

/** One input measured on both sides; fails when ckpt, Flink (and the generator, when it says) count differently. */
async function measure(input) {
  const { dir } = input;
  const t0 = Date.now();
  const entries = await readAll(dir);
  if (input.expected !== undefined && entries !== input.expected) throw new Error(`${input.name}: ckpt counts ${entries} entries, the generator wrote ${input.expected}`);
  const ckpt = await timeAsync(() => readAll(dir), { rounds: input.ckptRounds, warmup: input.ckptWarmup });
  const flink = JSON.parse(
    execFileSync(run, ['2.3', 'keyed-read', dir, String(input.flinkRounds), ...input.flinkArgs], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')
      .find((l) => l.startsWith('{')),
  );
  if (flink.entries !== entries) throw new Error(`${input.name}: entry counts differ: ckpt ${entries}, Flink ${flink.entries}`);
  const cold = freshPairs([process.execPath, [join(root, 'bench', 'keyed.mjs'), '--once', dir]], [run, ['2.3', 'keyed-read', dir, '0', ...input.flinkArgs]], input.coldReps);
  const once = cold.ckptPrinted.map((l) => JSON.parse(l));
  if (once.some((o) => o.entries !== entries)) throw new Error(`${input.name}: a fresh process counts ${once.map((o) => o.entries)}, not ${entries}`);
  const ckptPeakRssMiB = Math.max(...once.map((o) => o.maxRssKiB)) / 1024;
  const { ckptMs: ckptColdMs, flinkMs: flinkColdMs } = cold;
  log(
    `${input.name}: ${entries} entries, ckpt ${ckpt.minMs.toFixed(1)} ms / Flink ${flink.readMinMs.toFixed(1)} ms warm, ` +
      `${ckptColdMs.toFixed(0)} / ${flinkColdMs.toFixed(0)} ms fresh process, ckpt peak RSS ${ckptPeakRssMiB.toFixed(0)} MiB (${((Date.now() - t0) / 1000).toFixed(0)} s)`,
  );
  const { variant, name, bytes } = input;
  return { variant, name, bytes, entries, ckptMinMs: ckpt.minMs, ckptMedianMs: ckpt.medianMs, flink, ckptColdMs, flinkColdMs, ckptPeakRssMiB };
}

function rows(m) {
  const perSec = (t) => `${Math.round(m.entries / (t / 1000)).toLocaleString('en-US')} entries/s (${t.toFixed(t < 10 ? 2 : 0)} ms)`;
  const input = `${m.name} (${m.entries.toLocaleString('en-US')} entries, ${(m.bytes / 2 ** 20).toFixed(1)} MiB)`;
  const v = VARIANTS[m.variant];
  const what = v.targets ? `${v.label} read vs State Processor API (embedded RocksDB)` : 'keyed read vs State Processor API';
  return [
    { case: `${what}, start excluded`, input, ckpt: perSec(m.ckptMinMs), baseline: perSec(m.flink.readMinMs), ratio: m.flink.readMinMs / m.ckptMinMs, target: v.targets ? '≥ 3' : '-' },
    { case: `${what}, start included`, input, ckpt: perSec(m.ckptColdMs), baseline: perSec(m.flinkColdMs), ratio: m.flinkColdMs / m.ckptColdMs, target: v.targets ? '≥ 10' : '-' },
  ];
}

/**
 * ckpt's peak RSS (fresh process, node itself included) on the large input over a smaller one:
 * memory that does not grow with the state stays near 1 (target ≤ 1.5, for buffers sized by files).
 * Against the small input (a few entries: no collection has run yet) and against a tenth of the
 * large one (10× the state).
 */
function memoryRows(small, medium, big) {
  const mib = (m) => `${m.ckptPeakRssMiB.toFixed(0)} MiB (${m.entries.toLocaleString('en-US')} entries)`;
  const v = VARIANTS[big.variant];
  const row = (base, what) => ({ case: `${v.label} read, ckpt peak RSS: large / ${what}`, input: big.name, ckpt: mib(big), baseline: mib(base), ratio: big.ckptPeakRssMiB / base.ckptPeakRssMiB, target: '≤ 1.5' });
  return [row(small, 'small input'), row(medium, 'a tenth of it')];
}

/** ckpt's peak RSS on a tenth of the large input (fresh processes; the count must be the generator's). */
function measureMedium(variant) {
  const input = generated(`keyed-bench-${variant}-medium`, variant, MEDIUM);
  const { entries, peakRssMiB } = onceRss(input.dir, 3);
  if (entries.some((n) => n !== input.expected)) throw new Error(`${variant} medium input: a fresh process counts ${entries}, the generator wrote ${input.expected}`);
  log(`${variant}, a tenth of the large input: ${input.expected} entries, ckpt peak RSS ${peakRssMiB.toFixed(0)} MiB`);
  return { variant, entries: input.expected, ckptPeakRssMiB: peakRssMiB };
}

/** The small and the large input of one variant. */
function inputs(variant) {
  const fixture = VARIANTS[variant].fixture;
  const small = fixture
    ? { name: `2.3.0/${fixture}`, dir: join(root, 'fixtures', 'generated', '2.3.0', fixture) }
    : { name: `Flink 2.3.0 ${VARIANTS[variant].label}, ${SMALL.keys} keys × ${SMALL.perKey}`, ...generated(`keyed-bench-${variant}-small`, variant, SMALL) };
  small.bytes ??= dirBytes(small.dir);
  // the heap input keeps its directory name from before the RocksDB variants
  const big = generated(variant === 'heap' ? 'keyed-bench-savepoint' : `keyed-bench-${variant}`, variant, BIG);
  const { flinkArgs } = VARIANTS[variant];
  return [
    // per-call overhead: opening the files and a few key groups dominate; a State Processor API
    // read starts a local mini cluster (seconds): fewer rounds on that side
    { ...small, variant, flinkArgs, ckptRounds: Number(env.BENCH_KEYED_ROUNDS ?? 20), ckptWarmup: 5, flinkRounds: Number(env.BENCH_KEYED_FLINK_ROUNDS ?? 3), coldReps: 3 },
    // throughput
    {
      ...big,
      name: `Flink 2.3.0 ${VARIANTS[variant].label}, ${BIG.keys} keys × ${BIG.perKey}`,
      variant,
      flinkArgs,
      ckptRounds: Number(env.BENCH_KEYED_BIG_ROUNDS ?? 5),
      ckptWarmup: 2,
      flinkRounds: Number(env.BENCH_KEYED_BIG_FLINK_ROUNDS ?? 2),
      coldReps: Number(env.BENCH_KEYED_BIG_COLD_REPS ?? 3),
    },
  ];
}

if (process.argv[2] === '--once') {
  const entries = await readAll(process.argv[3]);
  console.log(JSON.stringify({ entries, maxRssKiB: process.resourceUsage().maxRSS }));
} else {
  const only = process.argv[2] === '--only' ? process.argv[3] : undefined;
  const variants = Object.keys(VARIANTS).filter((v) => only === undefined || v === only || (only === 'rocksdb' && v.startsWith('rocksdb')));
  if (variants.length === 0) throw new Error(`--only: one of ${Object.keys(VARIANTS).join(', ')}, rocksdb`);
  const results = [];
  const out = [];
  for (const variant of variants) {
    const ms = [];
    for (const input of inputs(variant)) ms.push(await measure(input));
    results.push(...ms);
    out.push(...ms.flatMap(rows));
    if (VARIANTS[variant].targets) out.push(...memoryRows(ms[0], measureMedium(variant), ms[1]));
  }
  console.log(JSON.stringify({ big: BIG, results, rows: out }));
}
