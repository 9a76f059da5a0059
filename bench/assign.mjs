// Benchmark: ckpt's restore plan (state assignment) next to Flink's own StateAssignmentOperation,
// same checkpoint, same job, same machine, same run. Standalone: `node bench/assign.mjs`
// (needs `pnpm build` and a built conformance 2.3: `CKPT_FLINK_LINES=2.3 scripts/conformance.sh build`).
//
// Case: a synthetic retained checkpoint of OPERATORS keyed + operator-state
// operators stored at parallelism STORED_P (max parallelism 32768, incremental RocksDB handles,
// written by @ckpt/format's encoder), restored into a job of OPERATORS/CHAIN vertices (chains of
// CHAIN operators) at parallelism P. Both sides: warm-up rounds, then ROUNDS timed rounds
// (min/median); Flink's JVM start, graph build and checkpoint load are not timed, nor is ckpt's
// metadata decoding. Writes bench/out/assign.json. Not a test: nothing here asserts times.
//
// Default case: parallelism 10 000, max parallelism 32 768, 100 operators (10 chains of 10) stored
// at parallelism 100 = 1 000 000 operator-subtask states to build. The 1 000 operators
// (BENCH_ASSIGN_OPERATORS=1000) mean 10 000 000 of them: measured on the 1M case, Flink 2.3 needs
// ~5 GB heap and ~40-55 s per assignment there, so the 10M case needs far more memory than a
// shared 23 GB machine has; run it only on a large machine (BENCH_FLINK_HEAP, node's heap).
//
// Env: BENCH_ASSIGN_P (10000), BENCH_ASSIGN_OPERATORS (100), BENCH_ASSIGN_CHAIN (10),
// BENCH_ASSIGN_STORED_P (100), BENCH_ROUNDS (3), BENCH_FLINK_HEAP (6g).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata, encodeMetadata } from '../packages/format/dist/index.js';
import { assignStates, keyGroupRange, normalizeJob } from '../packages/restore/dist/index.js';
import { syntheticCheckpoint } from './synthetic.mjs';
import { timeSync } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const num = (k, d) => Number(process.env[k] ?? d);
const P = num('BENCH_ASSIGN_P', 10000);
const OPERATORS = num('BENCH_ASSIGN_OPERATORS', 100);
const CHAIN = num('BENCH_ASSIGN_CHAIN', 10);
const STORED_P = num('BENCH_ASSIGN_STORED_P', 100);
const MAX_P = 32768;
const ROUNDS = num('BENCH_ROUNDS', 3);

/** The synthetic checkpoint, with max parallelism 32768 and operator state on every operator. */
function checkpoint() {
  const meta = syntheticCheckpoint({ operators: OPERATORS, parallelism: STORED_P, sharedFiles: 2, privateFiles: 1, seed: 7 });
  for (const op of meta.operators) {
    op.maxParallelism = MAX_P;
    for (const s of op.subtasks) {
      s.managedKeyedState.keyGroupRange = keyGroupRange(MAX_P, STORED_P, s.index);
      s.managedOperatorState ??= {
        kind: 'operatorStream',
        states: [{ name: 'buffered-elements', mode: 'SPLIT_DISTRIBUTE', offsets: [32n, 96n] }],
        delegate: { kind: 'relativeFile', relativePath: `op-${op.operatorId.slice(0, 8)}-${s.index}`, size: 160n },
      };
    }
  }
  return meta;
}

function job(meta) {
  const vertices = [];
  for (let v = 0; v * CHAIN < meta.operators.length; v++) {
    const ops = meta.operators.slice(v * CHAIN, (v + 1) * CHAIN).map((o) => o.operatorId);
    vertices.push({ name: `vertex-${v}`, parallelism: P, maxParallelism: MAX_P, operators: ops });
  }
  return { allowNonRestoredState: false, vertices };
}

function writeAtomic(file, text) {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

const dir = join(out, 'assign-case');
mkdirSync(dir, { recursive: true });
const metaFile = join(dir, '_metadata');
writeAtomic(metaFile, encodeMetadata(checkpoint()));
const desc = job(decodeMetadata(new Uint8Array(readFileSync(metaFile))));
const jobFile = join(dir, 'job.json');
writeAtomic(jobFile, JSON.stringify(desc));

const meta = decodeMetadata(new Uint8Array(readFileSync(metaFile)));
const graph = normalizeJob({ ...desc, checkpointPointer: `file:${dir}` });
let restored = 0;
const ckpt = timeSync(() => {
  const a = assignStates(meta, graph);
  if (!a.ok) throw new Error(`ckpt refuses the bench case: ${a.error.message}`);
  restored = a.vertices.reduce((n, v) => n + v.subtasks.filter((s) => s.restore !== null).length, 0);
}, { rounds: ROUNDS, warmup: Math.max(2, Math.min(ROUNDS, 3)) });

const flinkOut = execFileSync(join(root, 'conformance/run.sh'), ['2.3', 'assign-bench', String(ROUNDS), metaFile, jobFile], {
  encoding: 'utf8',
  env: { ...process.env, CKPT_CONFORMANCE_JAVA_OPTS: `-Xmx${process.env.BENCH_FLINK_HEAP ?? '6g'}` },
  maxBuffer: 1 << 24,
});
const flink = JSON.parse(flinkOut.trim().split('\n').pop());
if (flink.restoredSubtasks !== restored) throw new Error(`restored subtasks differ: ckpt ${restored}, Flink ${flink.restoredSubtasks}`);

const result = {
  case: { parallelism: P, maxParallelism: MAX_P, operators: OPERATORS, chain: CHAIN, vertices: desc.vertices.length, storedParallelism: STORED_P, metadataBytes: readFileSync(metaFile).length },
  rounds: ROUNDS,
  restoredSubtasks: restored,
  operatorSubtaskStates: restored * CHAIN,
  ckpt,
  flink: { minMs: flink.minMs, medianMs: flink.medianMs, version: '2.3.0' },
  ratio: { min: ckpt.minMs / flink.minMs, median: ckpt.medianMs / flink.medianMs },
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
};
writeAtomic(join(out, 'assign.json'), `${JSON.stringify(result, null, 2)}\n`);
const f = (x) => x.toFixed(1).padStart(10);
console.log(`restore plan: ${OPERATORS} operators (${desc.vertices.length} vertices), parallelism ${STORED_P} -> ${P}, max parallelism ${MAX_P}`);
console.log(`               min ms    median ms`);
console.log(`ckpt      ${f(ckpt.minMs)}   ${f(ckpt.medianMs)}`);
console.log(`Flink 2.3 ${f(flink.minMs)}   ${f(flink.medianMs)}`);
console.log(`ratio ckpt/Flink: ${result.ratio.min.toFixed(2)} (min), ${result.ratio.median.toFixed(2)} (median) -> bench/out/assign.json`);
