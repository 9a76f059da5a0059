// Keyed-state read: every entry of the keyed job's operator (uid `keyed`) of a real heap savepoint,
// ckpt (@ckpt/state) against Flink's State Processor API (conformance/ KeyedRead.java, Flink 2.3),
// with process start excluded (warmed, in-process) and included (fresh process per read).
// Two inputs written by Flink 2.3.0: the small fixture (130 entries: per-call overhead) and a
// large savepoint of the same job (10^6 entries: throughput), generated on demand into bench/out/
// by `conformance/run.sh 2.3 keyed-bench-savepoint` and reused while its generator is unchanged.
// Prints {inputs, rows} as JSON for bench/run.mjs.   node bench/keyed.mjs [--once DIR]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata } from '../packages/format/dist/index.js';
import { KeyedStateFile } from '../packages/state/dist/index.js';
import { storageResolver } from '../packages/state/dist/node/index.js';
import { elapsedMs, timeAsync } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = join(root, 'conformance', 'run.sh');
const STATES = new Set(['sum', 'values', 'byValue', 'max']);
const env = process.env;
/** Keys × values per key of the large input: KEYS × (3 + PER_KEY) entries (sum, list, max + map entries). */
const BIG = { keys: Number(env.BENCH_KEYED_KEYS ?? 200_000), perKey: Number(env.BENCH_KEYED_PER_KEY ?? 2) };
const log = (m) => process.stderr.write(`keyed: ${m}\n`);

/** Reads every entry of the four states the Java side reads; returns how many there are. */
async function readAll(dir) {
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
  const op = meta.operators.find((o) => o.uid === 'keyed');
  if (!op) throw new Error(`no operator with uid keyed in ${dir}`);
  const resolver = storageResolver(dir);
  let n = 0;
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h === null) continue;
    if (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups') throw new Error(`unexpected ${h.kind} handle`);
    const file = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
    for await (const e of file.entries()) if (STATES.has(e.state)) n++;
  }
  return n;
}

/** The large savepoint, written by real Flink 2.3.0 unless bench/out/ holds one from the same generator and size. */
function bigInput() {
  const dir = join(root, 'bench', 'out', 'keyed-bench-savepoint');
  const generator = readFileSync(join(root, 'conformance', 'src', 'main', 'java-2.3', 'dev', 'ckpt', 'conformance', 'KeyedBench.java'));
  const stamp = createHash('sha256').update(generator).update(JSON.stringify(BIG)).digest('hex');
  const stampFile = join(dir, 'stamp');
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    log(`writing a ${BIG.keys} × ${BIG.perKey} savepoint with Flink 2.3.0 into bench/out/ (once; about a minute)`);
    const t0 = Date.now();
    // the generator empties `dir` first; the stamp, written last, marks a complete savepoint
    execFileSync(run, ['2.3', 'keyed-bench-savepoint', dir, String(BIG.keys), String(BIG.perKey)], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    writeFileSync(stampFile, stamp);
    log(`written in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  return { dir, expected: manifest.expected.keyedBench.entries };
}

function dirBytes(dir) {
  return readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

/** Best wall-clock time of `reps` fresh processes. */
function wallMs(cmd, args, reps) {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    best = Math.min(best, elapsedMs(t0));
  }
  return best;
}

/** One input measured on both sides; fails when ckpt, Flink (and the generator, when it says) count differently. */
async function measure(input) {
  const { dir } = input;
  const t0 = Date.now();
  const entries = await readAll(dir);
  if (input.expected !== undefined && entries !== input.expected) throw new Error(`${input.name}: ckpt counts ${entries} entries, the generator wrote ${input.expected}`);
  const ckpt = await timeAsync(() => readAll(dir), { rounds: input.ckptRounds, warmup: input.ckptWarmup });
  const flink = JSON.parse(
    execFileSync(run, ['2.3', 'keyed-read', dir, String(input.flinkRounds)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')
      .find((l) => l.startsWith('{')),
  );
  if (flink.entries !== entries) throw new Error(`${input.name}: entry counts differ: ckpt ${entries}, Flink ${flink.entries}`);
  const ckptColdMs = wallMs(process.execPath, [join(root, 'bench', 'keyed.mjs'), '--once', dir], input.ckptColdReps);
  const flinkColdMs = wallMs(run, ['2.3', 'keyed-read', dir, '0'], input.flinkColdReps);
  log(`${input.name}: ${entries} entries, ckpt ${ckpt.minMs.toFixed(1)} ms / Flink ${flink.readMinMs.toFixed(1)} ms warm, ${ckptColdMs.toFixed(0)} / ${flinkColdMs.toFixed(0)} ms fresh process (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
  return { name: input.name, bytes: dirBytes(dir), entries, ckptMinMs: ckpt.minMs, ckptMedianMs: ckpt.medianMs, flink, ckptColdMs, flinkColdMs };
}

function rows(m) {
  const perSec = (t) => `${Math.round(m.entries / (t / 1000)).toLocaleString('en-US')} entries/s (${t.toFixed(t < 10 ? 2 : 0)} ms)`;
  const input = `${m.name} (${m.entries.toLocaleString('en-US')} entries, ${(m.bytes / 2 ** 20).toFixed(1)} MiB)`;
  return [
    { case: 'keyed read vs State Processor API, start excluded', input, ckpt: perSec(m.ckptMinMs), baseline: perSec(m.flink.readMinMs), ratio: m.flink.readMinMs / m.ckptMinMs },
    { case: 'keyed read vs State Processor API, start included', input, ckpt: perSec(m.ckptColdMs), baseline: perSec(m.flinkColdMs), ratio: m.flinkColdMs / m.ckptColdMs },
  ];
}

if (process.argv[2] === '--once') {
  console.log(await readAll(process.argv[3]));
} else {
  const big = bigInput();
  const inputs = [
    // per-call overhead: opening the files and a few key groups dominate
    {
      name: '2.3.0/keyed-hashmap-savepoint',
      dir: join(root, 'fixtures', 'generated', '2.3.0', 'keyed-hashmap-savepoint'),
      ckptRounds: Number(env.BENCH_KEYED_ROUNDS ?? 20),
      ckptWarmup: 5,
      // a State Processor API read starts a local mini cluster (seconds): fewer rounds on that side
      flinkRounds: Number(env.BENCH_KEYED_FLINK_ROUNDS ?? 3),
      ckptColdReps: 3,
      flinkColdReps: 2,
    },
    // throughput
    {
      name: `Flink 2.3.0 heap savepoint, ${BIG.keys} keys × ${BIG.perKey}`,
      dir: big.dir,
      expected: big.expected,
      ckptRounds: Number(env.BENCH_KEYED_BIG_ROUNDS ?? 5),
      ckptWarmup: 2,
      flinkRounds: Number(env.BENCH_KEYED_BIG_FLINK_ROUNDS ?? 2),
      ckptColdReps: 2,
      flinkColdReps: 1,
    },
  ];
  const results = [];
  for (const input of inputs) results.push(await measure(input));
  console.log(JSON.stringify({ big: BIG, results, rows: results.flatMap(rows) }));
}
