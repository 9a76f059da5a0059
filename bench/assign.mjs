// Benchmark: ckpt's restore plan (state assignment) next to Flink's own StateAssignmentOperation,
// same checkpoint, same job, same machine, same run. Standalone: `node bench/assign.mjs`
// (needs `pnpm build` and a built conformance 2.3: `CKPT_FLINK_LINES=2.3 scripts/conformance.sh build`).
//
// Case: a synthetic retained checkpoint of OPERATORS keyed + operator-state operators stored at
// parallelism STORED_P (max parallelism 32768, incremental RocksDB handles, written by
// @ckpt/format's encoder), restored into a job of OPERATORS/CHAIN vertices (chains of CHAIN
// operators) at parallelism P. Default: the issue's case, 1 000 operators (100 chains of 10) at
// parallelism 100 -> 10 000 = 10 000 000 operator-subtask states.
//
// The whole plan needs ~9 GB live on Flink's side (bench/README.md: ~0.7 KB retained per
// operator-subtask state plus the assignment's own maps) and ~5 GB on ckpt's. On a machine with
// 23 GiB or more it runs as one plan (Flink gets a heap of the memory less 4.5 GiB, node 12 GiB);
// with less, both sides run it as PARTS independent plans of whole chains (same parallelism and
// max parallelism), timing the sum; each side drops a part's result after counting it. Each side
// runs in its own process
// (bench/assign-ckpt.mjs for ckpt, `conformance/run.sh 2.3 assign-bench` for Flink): WARMUP
// assignments of the first part, then ROUNDS timed rounds over all parts (min/median); JVM start,
// graph build, checkpoint load and ckpt's metadata decoding are not timed. Both sides print what
// they assigned (subtasks with state, operator-subtask states, keyed / operator / channel handles);
// the counts must be equal or the script fails. Writes bench/out/assign.json. Not a test: nothing
// here asserts times.
//
// Env: BENCH_ASSIGN_P (10000), BENCH_ASSIGN_OPERATORS (1000), BENCH_ASSIGN_CHAIN (10),
// BENCH_ASSIGN_STORED_P (100), BENCH_ASSIGN_PARTS (1 with ≥ 23 GiB of memory, else 10),
// BENCH_ASSIGN_ROUNDS (1), BENCH_ASSIGN_WARMUP (1), BENCH_FLINK_HEAP (memory − 4.5 GiB for one
// plan of ≥ 1 000 operators, else 8g), BENCH_NODE_HEAP_MIB (12288 for one plan, else 4096).
// The previous default (100 operators, one plan): BENCH_ASSIGN_OPERATORS=100 BENCH_ASSIGN_PARTS=1.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeMetadata } from '../packages/format/dist/bundle/index.js';
import { keyGroupRange } from '../packages/restore/dist/bundle/index.js';
import { syntheticCheckpoint } from './synthetic.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', 'out');
const num = (k, d) => Number(process.env[k] ?? d);
const P = num('BENCH_ASSIGN_P', 10000);
const OPERATORS = num('BENCH_ASSIGN_OPERATORS', 1000);
const CHAIN = num('BENCH_ASSIGN_CHAIN', 10);
const STORED_P = num('BENCH_ASSIGN_STORED_P', 100);
const MEMORY_GIB = totalmem() / 2 ** 30;
const PARTS = num('BENCH_ASSIGN_PARTS', MEMORY_GIB >= 23 ? 1 : 10);
const ROUNDS = num('BENCH_ASSIGN_ROUNDS', 1);
const WARMUP = num('BENCH_ASSIGN_WARMUP', 1);
const WHOLE_LARGE_PLAN = PARTS === 1 && OPERATORS >= 1000;
const FLINK_HEAP = process.env.BENCH_FLINK_HEAP ?? (WHOLE_LARGE_PLAN ? `${Math.floor(MEMORY_GIB - 4.5)}g` : '8g');
const NODE_HEAP_MIB = num('BENCH_NODE_HEAP_MIB', PARTS === 1 ? 12288 : 4096);
const MAX_P = 32768;

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
const meta = checkpoint();
const desc = job(meta);
const metaFile = join(dir, '_metadata');
writeAtomic(metaFile, encodeMetadata(meta));
writeAtomic(join(dir, 'job.json'), JSON.stringify(desc));
const metadataBytes = readFileSync(metaFile).length;

const run = (cmd, args, env) => JSON.parse(execFileSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 1 << 24 }).trim().split('\n').pop());
const ckpt = run(process.execPath, [`--max-old-space-size=${NODE_HEAP_MIB}`, '--expose-gc', join(root, 'bench', 'assign-ckpt.mjs'), dir, String(ROUNDS), String(WARMUP), String(PARTS)]);
const flink = run(join(root, 'conformance/run.sh'), ['2.3', 'assign-bench', String(ROUNDS), '--warmup', String(WARMUP), '--parts', String(PARTS), metaFile, join(dir, 'job.json')], {
  CKPT_CONFORMANCE_JAVA_OPTS: `-Xmx${FLINK_HEAP}`,
});
const COUNTS = ['restoredSubtasks', 'operatorSubtaskStates', 'keyedHandles', 'operatorHandles', 'channelHandles'];
for (const k of COUNTS) {
  if (ckpt[k] !== flink[k]) throw new Error(`assignments differ in ${k}: ckpt ${ckpt[k]}, Flink ${flink[k]}`);
}

const result = {
  case: {
    parallelism: P, maxParallelism: MAX_P, operators: OPERATORS, chain: CHAIN, vertices: desc.vertices.length, storedParallelism: STORED_P,
    parts: ckpt.parts, operatorsPerPart: OPERATORS / ckpt.parts, metadataBytes,
  },
  rounds: ROUNDS,
  warmup: WARMUP,
  assigned: Object.fromEntries(COUNTS.map((k) => [k, ckpt[k]])),
  ckpt: {
    minMs: ckpt.minMs, medianMs: ckpt.medianMs, peakRssMiB: ckpt.peakRssMiB, heapLimitMiB: NODE_HEAP_MIB,
    heapLoadedMiB: ckpt.heapLoadedMiB, heapOnePartAssignedMiB: ckpt.heapOnePartAssignedMiB,
  },
  flink: {
    minMs: flink.minMs, medianMs: flink.medianMs, version: '2.3.0', peakRssMiB: flink.peakRssMiB, maxHeapMiB: flink.maxHeapMiB,
    heapLoadedMiB: flink.heapLoadedMiB, heapOnePartAssignedMiB: flink.heapOnePartAssignedMiB,
  },
  ratio: { min: ckpt.minMs / flink.minMs, median: ckpt.medianMs / flink.medianMs },
  machine: { node: process.version, cpus: cpus().length, cpu: cpus()[0]?.model, memGiB: Math.round(totalmem() / 2 ** 30) },
};
writeAtomic(join(out, 'assign.json'), `${JSON.stringify(result, null, 2)}\n`);
const f = (x) => x.toFixed(1).padStart(10);
const split = ckpt.parts > 1 ? ` as ${ckpt.parts} independent plans of ${OPERATORS / ckpt.parts} operators (sum)` : '';
console.log(`restore plan: ${OPERATORS} operators (${desc.vertices.length} vertices), parallelism ${STORED_P} -> ${P}, max parallelism ${MAX_P}${split}`);
console.log(`assigned (both sides): ${COUNTS.map((k) => `${k} ${ckpt[k]}`).join(', ')}`);
console.log(`               min ms    median ms   peak RSS MiB`);
console.log(`ckpt      ${f(ckpt.minMs)}   ${f(ckpt.medianMs)}   ${String(ckpt.peakRssMiB).padStart(8)}`);
console.log(`Flink 2.3 ${f(flink.minMs)}   ${f(flink.medianMs)}   ${String(flink.peakRssMiB).padStart(8)}  (heap -Xmx${FLINK_HEAP})`);
console.log(`heap after a full GC, loaded / one part's result alive: ckpt ${ckpt.heapLoadedMiB} / ${ckpt.heapOnePartAssignedMiB} MiB, Flink ${flink.heapLoadedMiB} / ${flink.heapOnePartAssignedMiB} MiB`);
console.log(`ratio ckpt/Flink: ${result.ratio.min.toFixed(2)} (min), ${result.ratio.median.toFixed(2)} (median) -> bench/out/assign.json`);
