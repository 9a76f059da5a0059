// Writes large, valid, synthetic `_metadata` files (metadata V6, a retained checkpoint of a RocksDB
// job: incremental keyed handles with shared and private files, operator state, coordinator
// state), made by ckpt's encoder and accepted by Flink's loader (bench/format.mjs checks that).
//   node bench/synthetic.mjs OUT_DIR OPERATORS PARALLELISM SHARED_FILES_PER_SUBTASK
// About 160 bytes per handle: 200 operators × 256 subtasks × 20 shared files (+ 3 private + 1 meta)
// is 1.2e6 handles in ~200 MB (the `synthetic-xl` input of bench/format.mjs).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeMetadata, writeCheckpointProperties } from '../packages/format/dist/bundle/index.js';

/** Deterministic pseudo-random numbers (xorshift32), so every run writes the same bytes. */
function rng(seed) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const hex = (r, n) => Array.from({ length: n }, () => Math.floor(r() * 16).toString(16)).join('');
const uuid = (r) => `${hex(r, 8)}-${hex(r, 4)}-4${hex(r, 3)}-a${hex(r, 3)}-${hex(r, 12)}`;

/** The operators of a synthetic checkpoint, made one at a time (a stream of any size needs no model). */
export function* syntheticOperators({ operators, parallelism, sharedFiles, privateFiles = 3, seed = 42 }) {
  const r = rng(seed);
  const job = hex(r, 32);
  const maxParallelism = Math.max(128, 2 ** Math.ceil(Math.log2(parallelism * 1.5)));
  for (let o = 0; o < operators; o++) {
    const operatorId = hex(r, 32);
    const subtasks = [];
    for (let i = 0; i < parallelism; i++) {
      const start = Math.floor((i * maxParallelism) / parallelism);
      const end = Math.floor(((i + 1) * maxParallelism) / parallelism);
      // shared files live under the job's checkpoint directory, one sub-directory per operator
      const file = (dir, name) => ({
        kind: 'file',
        path: `s3://flink-state-bucket/prod/checkpoints/${job}/${dir}/${operatorId}/${name}`,
        size: BigInt(1 + Math.floor(r() * 64 << 20)),
      });
      subtasks.push({
        index: i,
        managedOperatorState:
          o % 4 === 0
            ? {
                kind: 'operatorStream',
                states: [{ name: 'SourceReaderState', mode: 'SPLIT_DISTRIBUTE', offsets: [BigInt(200 + Math.floor(r() * 100))] }],
                delegate: { kind: 'relativeFile', relativePath: uuid(r), size: BigInt(300 + Math.floor(r() * 100)) },
              }
            : null,
        rawOperatorState: null,
        managedKeyedState: {
          kind: 'incremental',
          checkpointId: 1000n,
          backendId: uuid(r),
          keyGroupRange: { start, count: end - start },
          checkpointedSize: BigInt(Math.floor(r() * 2 ** 30)),
          metaStateHandle: { kind: 'relativeFile', relativePath: uuid(r), size: BigInt(1000 + Math.floor(r() * 5000)) },
          sharedState: Array.from({ length: sharedFiles }, (_, k) => ({
            localPath: `${String(100000 + k).padStart(6, '0')}.sst`,
            handle: file('shared', uuid(r)),
          })),
          privateState: Array.from({ length: privateFiles }, (_, k) => ({
            localPath: k === 0 ? 'MANIFEST-000004' : k === 1 ? 'CURRENT' : `OPTIONS-0000${k}`,
            handle: { kind: 'relativeFile', relativePath: uuid(r), size: BigInt(100 + Math.floor(r() * 10000)) },
          })),
          stateHandleId: uuid(r),
        },
        rawKeyedState: null,
        inputChannelState: [],
        resultSubpartitionState: [],
      });
    }
    yield {
      operatorId,
      name: `operator-${o}`,
      uid: `uid-${o}`,
      parallelism,
      maxParallelism,
      coordinatorState: o % 4 === 0 ? { kind: 'byteStream', name: hex(r, 32), data: new Uint8Array(16) } : null,
      subtasks,
    };
  }
}

/** The trailer of every synthetic checkpoint: a retained checkpoint's properties. */
function syntheticProperties() {
  const view = {
    discardCancelled: false, discardFailed: false, discardFinished: true, discardSubsumed: true, discardSuspended: false,
    forced: false, unclaimed: false,
    snapshotType: { kind: 'checkpoint', className: 'org.apache.flink.runtime.checkpoint.CheckpointType', name: 'Checkpoint', sharingFilesStrategy: 'FORWARD_BACKWARD' },
  };
  return { raw: writeCheckpointProperties(view), view: null };
}

export function syntheticCheckpoint(spec) {
  return { version: 6, checkpointId: 1000n, masterStates: [], operators: [...syntheticOperators(spec)], properties: syntheticProperties() };
}

/**
 * The bytes of the synthetic checkpoint of `spec` as a stream of chunks, encoded one operator at a
 * time: a valid `_metadata` of any size with memory for one operator.
 */
export function* syntheticStream(spec) {
  const properties = syntheticProperties();
  const single = (op) => encodeMetadata({ version: 6, checkpointId: 1000n, masterStates: [], operators: [op], properties });
  const HEADER = 24; // magic, version, checkpoint id, master state count, operator count
  let first = true;
  for (const op of syntheticOperators(spec)) {
    const bytes = single(op);
    if (first) {
      const head = bytes.slice(0, HEADER);
      new DataView(head.buffer).setInt32(HEADER - 4, spec.operators);
      yield head;
      first = false;
    }
    yield bytes.subarray(HEADER, bytes.length - properties.raw.length);
  }
  yield properties.raw;
}

/** Writes `<dir>/_metadata`; returns its path and the number of stream handles in it. */
export function writeSynthetic(dir, spec) {
  mkdirSync(dir, { recursive: true });
  const meta = syntheticCheckpoint(spec);
  const file = join(dir, '_metadata');
  writeFileSync(file, encodeMetadata(meta));
  const handles = spec.operators * spec.parallelism * (spec.sharedFiles + (spec.privateFiles ?? 3) + 1);
  return { file, handles };
}

/**
 * Writes the three parts of a one-operator synthetic checkpoint (`head.bin`: the 24-byte header,
 * `record.bin`: the operator record, `trailer.bin`) into `dir`, for streams of any size made of
 * repeated records (bench/rss.mjs `summary-generated`).
 */
export function writeSyntheticParts(dir, spec) {
  mkdirSync(dir, { recursive: true });
  const [head, record, trailer] = [...syntheticStream({ ...spec, operators: 1 })];
  writeFileSync(join(dir, 'head.bin'), head);
  writeFileSync(join(dir, 'record.bin'), record);
  writeFileSync(join(dir, 'trailer.bin'), trailer);
}

/** The parts written by {@link writeSyntheticParts}, the header saying `operators` operators. */
export function readSyntheticParts(dir, operators) {
  const [head, record, trailer] = ['head.bin', 'record.bin', 'trailer.bin'].map((f) => new Uint8Array(readFileSync(join(dir, f))));
  new DataView(head.buffer, head.byteOffset).setInt32(20, operators); // after magic, version, checkpoint id, master states
  return { head, record, trailer };
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  if (process.argv[2] === '--parts') {
    const [, out, parallelism, sharedFiles] = process.argv.slice(2);
    writeSyntheticParts(out, { parallelism: Number(parallelism), sharedFiles: Number(sharedFiles) });
    console.log(`${out}: head.bin, record.bin, trailer.bin`);
    process.exit(0);
  }
  const [out, operators, parallelism, sharedFiles] = process.argv.slice(2);
  const r = writeSynthetic(out, { operators: Number(operators), parallelism: Number(parallelism), sharedFiles: Number(sharedFiles) });
  console.log(`${r.file}: ${r.handles} handles`);
}
