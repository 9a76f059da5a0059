import { randomUUID } from 'node:crypto';
import {
  encodeMetadata,
  requireOperator,
  UsageError,
  forEachStreamHandle,
  type CheckpointMetadata,
  type KeyedStateHandle,
  type OperatorState,
  type StreamStateHandle,
  type SubtaskState,
} from '@ckpt/format';
import { childPath, joinUri, loadCheckpoint, withStorages, type CheckpointAccessOptions, type Storages } from '@ckpt/storage';
import { StateError } from '../errors.js';
import { HandleResolver } from '../io/resolve.js';
import { writeCanonicalKeyedState } from '../keyed/canonical-stream.js';
import { KeyedStateFile } from '../keyed/keyed-state.js';
import { RocksDbKeyedState } from '../rocksdb/keyed.js';
import { SnappyFraming } from '../snappy/framing.js';
import { moveEntries, type RawKeyedSource } from '../rekey/move-entries.js';
import { openOutput, type RekeyOutput } from './output.js';
import { storageOpener } from './checkpoint.js';

export interface RekeyOptions extends CheckpointAccessOptions {
  /** The new max parallelism (number of key groups), 1..32768. */
  maxParallelism: number;
  /** New parallelism of the re-keyed operators (default: unchanged). */
  parallelism?: number;
  /**
   * Operators (uid, operator id or name) that get the new max parallelism; default all. Every
   * operator with keyed state among them is re-keyed. Chained operators share one max parallelism
   * in Flink, so list a whole chain.
   */
  operators?: string[];
  /**
   * The new savepoint directory (a local path or any storage URI); must not exist and must not be
   * inside the input (or vice versa).
   */
  out: string;
  /** Snappy-compress the new key groups; default: as the original files were. */
  compress?: boolean;
}

export interface RekeyedOperator {
  operatorId: string;
  uid?: string;
  oldMaxParallelism: number;
  newMaxParallelism: number;
  oldParallelism: number;
  newParallelism: number;
  /** True when its keyed state was moved into new key groups (false: only the max parallelism changed). */
  rekeyed: boolean;
  entries: number;
  keyGroupsWithData: number;
  files: string[];
}

export interface RekeyResult {
  source: string;
  out: string;
  /** The new files use relative handles (the input was a relocatable savepoint). */
  relocatable: boolean;
  operators: RekeyedOperator[];
  /** Files of the input copied into the new directory (relative handles of untouched state). */
  copied: string[];
}

type KeyGroupsLike = Extract<KeyedStateHandle, { kind: 'keyGroups' | 'savepointKeyGroups' }>;


function streamKinds(meta: CheckpointMetadata): Set<string> {
  const kinds = new Set<string>();
  forEachStreamHandle(meta, (h) => kinds.add(h.kind));
  return kinds;
}

function checkBounds(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 32768) throw new UsageError('BadArgument', `${what} must be an integer in 1..32768, got ${v}`);
}

/**
 * Re-keys a canonical keyed savepoint for a new max parallelism (Flink itself cannot): every
 * entry of the chosen operators' keyed state is moved into the key group its key has under the
 * new max parallelism, new key-group files and handles are written, and a new `_metadata` with
 * the new max parallelism. The input is any checkpoint pointer (a local directory or `_metadata`,
 * `s3://…`, `hdfs://…`, `gs://…`), read with ranged reads; it is only read. A local output is
 * written into a temporary sibling of `out` renamed to `out` at the end; on an object store the
 * files go to `out` directly and `_metadata` last (a savepoint without it is no savepoint).
 * Untouched state files referenced relatively are copied, so a relocatable input gives a
 * relocatable output.
 */
export async function rekeySavepoint(input: string, opts: RekeyOptions): Promise<RekeyResult> {
  checkBounds('max parallelism', opts.maxParallelism);
  if (opts.parallelism !== undefined) checkBounds('parallelism', opts.parallelism);
  return withStorages(opts, async (storages) => {
    const { resolved, metadata: meta } = await loadCheckpoint(input, { ...opts, storages });
    const output = await openOutput(resolved.directory, opts.out, storages);
    try {
      const resolver = new HandleResolver({ metadataDir: resolved.directory, open: storageOpener(storages, opts) });
      const kinds = streamKinds(meta);
      // relative handles (tag 6) exist from metadata version 3 on
      const relocatable = meta.version >= 3 && [...kinds].every((k) => k === 'relativeFile' || k === 'byteStream' || k === 'keyGroups');
      const picked = opts.operators && new Set(opts.operators.map((ref) => requireOperator(meta.operators, ref, resolved.metadataUri)));
      const chosen = (o: OperatorState) => !picked || picked.has(o);
      const framing = await SnappyFraming.create();
      const report: RekeyedOperator[] = [];
      const operators: OperatorState[] = [];
      for (const op of meta.operators) {
        if (!chosen(op)) {
          operators.push(op);
          continue;
        }
        const r = await rekeyOperator(op, opts, { resolver, framing, output, relocatable });
        operators.push(r.op);
        report.push(r.report);
      }
      const rewritten: CheckpointMetadata = { ...meta, operators };
      delete rewritten.input;
      const copied = await copyRelativeFiles(rewritten, resolved.directory, output, storages, new Set(report.flatMap((r) => r.files)));
      await output.write('_metadata', encodeMetadata(rewritten));
      await output.commit();
      return { source: output.source, out: output.out, relocatable, operators: report, copied };
    } catch (e) {
      await output.abort();
      throw e;
    }
  });
}

interface Ctx {
  resolver: HandleResolver;
  framing: SnappyFraming;
  output: RekeyOutput;
  relocatable: boolean;
}

async function rekeyOperator(op: OperatorState, opts: RekeyOptions, ctx: Ctx): Promise<{ op: OperatorState; report: RekeyedOperator }> {
  const N = opts.maxParallelism;
  const keyed = op.subtasks.filter((s) => s.managedKeyedState !== null);
  const newP = keyed.length > 0 ? (opts.parallelism ?? op.parallelism) : op.parallelism;
  const report: RekeyedOperator = {
    operatorId: op.operatorId,
    ...(op.uid !== undefined ? { uid: op.uid } : {}),
    oldMaxParallelism: op.maxParallelism,
    newMaxParallelism: N,
    oldParallelism: op.parallelism,
    newParallelism: newP,
    rekeyed: keyed.length > 0,
    entries: 0,
    keyGroupsWithData: 0,
    files: [],
  };
  const label = op.uid ?? op.operatorId;
  if (newP > N) {
    throw new UsageError('BadArgument', `operator ${label}: parallelism ${newP} is higher than the new max parallelism ${N}`);
  }
  if (op.subtasks.some((s) => s.rawKeyedState !== null)) {
    throw new StateError('UnsupportedHandle', `operator ${label} has raw keyed state; its layout is user code and cannot be re-keyed`);
  }
  if (keyed.length === 0) return { op: { ...op, maxParallelism: N }, report };

  const sources: RawKeyedSource[] = [];
  let kind: KeyGroupsLike['kind'] | undefined;
  let withId = false;
  for (const s of keyed) {
    const h = s.managedKeyedState!;
    if (h.kind === 'incremental') {
      // RocksDB / ForSt native savepoint or checkpoint: its LSM view per state, written as a canonical savepoint.
      const rs = await RocksDbKeyedState.open(h, (x) => ctx.resolver.resolve(x), { maxParallelism: op.maxParallelism });
      kind ??= 'savepointKeyGroups';
      sources.push({ name: `${label} subtask ${s.index}`, header: rs.header, keyGroups: rs.rawKeyGroups() });
      continue;
    }
    if (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups') {
      throw new StateError('UnsupportedHandle', `operator ${label}: ${h.kind} keyed state (changelog) cannot be re-keyed; take a canonical savepoint`);
    }
    kind ??= h.kind;
    withId ||= h.kind === 'keyGroups' && h.stateHandleId !== undefined;
    const kf = await KeyedStateFile.open(h, ctx.resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism, framing: ctx.framing });
    sources.push({ name: kf.source.name, header: kf.header, keyGroups: kf.rawKeyGroups() });
  }
  const moved = await moveEntries(sources, N, newP);
  const compressed = opts.compress ?? moved.header.compressed;
  report.entries = moved.entries;

  if (newP !== op.parallelism && op.subtasks.some((s) => s.managedOperatorState || s.rawOperatorState || s.inputChannelState.length || s.resultSubpartitionState.length || s.finished)) {
    throw new StateError('UnsupportedHandle', `operator ${label} also holds operator or channel state; keep its parallelism (let Flink rescale it on restore)`);
  }
  const subtasks: SubtaskState[] = [];
  for (const st of moved.subtasks) {
    const { bytes, offsets } = writeCanonicalKeyedState({
      header: moved.header.raw,
      keyGroupStart: st.start,
      keyGroupCount: st.count,
      maxParallelism: N,
      keyGroups: st.keyGroups,
      compressed,
      framing: ctx.framing,
    });
    const name = randomUUID();
    await ctx.output.write(name, bytes);
    report.files.push(name);
    report.keyGroupsWithData += st.keyGroups.size;
    const delegate: StreamStateHandle = ctx.relocatable
      ? { kind: 'relativeFile', relativePath: name, size: BigInt(bytes.length) }
      : { kind: 'file', path: ctx.output.uri(name), size: BigInt(bytes.length) };
    const range = { start: st.start, count: st.count };
    const handle: KeyedStateHandle =
      kind === 'savepointKeyGroups'
        ? { kind: 'savepointKeyGroups', keyGroupRange: range, offsets, delegate }
        : { kind: 'keyGroups', keyGroupRange: range, offsets, delegate, ...(withId ? { stateHandleId: randomUUID() } : {}) };
    const old = newP === op.parallelism ? op.subtasks.find((s) => s.index === st.index) : undefined;
    subtasks.push({
      ...(old ?? { index: st.index, managedOperatorState: null, rawOperatorState: null, rawKeyedState: null, inputChannelState: [], resultSubpartitionState: [] }),
      index: st.index,
      managedKeyedState: handle,
    });
  }
  return { op: { ...op, maxParallelism: N, parallelism: newP, subtasks }, report };
}

/** Copies every file the new metadata references relatively (except the new ones) into the output. */
async function copyRelativeFiles(meta: CheckpointMetadata, srcDir: string, output: RekeyOutput, storages: Storages, fresh: Set<string>): Promise<string[]> {
  const rel = new Set<string>();
  forEachStreamHandle(meta, (h) => {
    if (h.kind === 'relativeFile' && !fresh.has(h.relativePath)) rel.add(h.relativePath);
  });
  for (const p of rel) {
    try {
      childPath('', p);
    } catch (e) {
      throw new StateError('BadValue', `relative handle ${p} points outside the savepoint`, { cause: e });
    }
    const { storage, path } = await storages.locate(joinUri(srcDir, p));
    await output.write(p, storage.read(path));
  }
  return [...rel].sort();
}
