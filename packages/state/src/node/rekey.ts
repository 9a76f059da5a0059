import type { SpillOptions } from './spill-entries.js';
import { createHash } from 'node:crypto';
import { encodeMetadata, requireOperator, UsageError, forEachStreamHandle, type CheckpointMetadata } from '@ckpt/format';
import { childPath, joinUri, loadCheckpoint, withStorages, type CheckpointAccessOptions, type ResolvedCheckpoint, type Storages } from '@ckpt/storage';
import { keyGroupRange } from '@ckpt/restore';
import { StateError } from '../errors.js';
import type { SerializerSnapshot } from '../serializers/snapshot.js';
import { HandleResolver } from '../io/resolve.js';
import { SnappyFraming } from '../snappy/framing.js';
import { ownedSubtasks, type ShardSpec } from '../rekey/shards.js';
import { openOutput, type RekeyOutput } from './output.js';
import { storageOpener } from './checkpoint.js';
import { buildOperator, convertOperator, isPartName, planOperator, type OperatorPlan, type WrittenPart } from './rekey-operator.js';
import { checkShards, encodeShardManifest, readShards, SHARD_MANIFEST, type ExpectedPart, type ShardOptions } from './rekey-shards.js';

export interface RekeyOptions extends CheckpointAccessOptions {
  /**
   * The new max parallelism (number of key groups), 1..32768; default: each operator keeps its
   * own (a plain conversion, e.g. of RocksDB state into a canonical savepoint).
   */
  maxParallelism?: number;
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
  /**
   * Convert one slice only: the new subtasks (key groups) of every operator that shard `index` of
   * `count` owns, reading only the old key groups that can hold their keys. `out` then receives
   * that slice's key-group files and a shard manifest; {@link assembleRekey} makes the savepoint.
   */
  shard?: ShardSpec;
  /** Key serializer of changelog state that has no materialized part (`basicSerializerSnapshot('String')`). */
  keySerializer?: SerializerSnapshot;
  /**
   * A new max parallelism moves keys between key groups: the moved pairs are held in memory up to
   * `memoryBytes` (default 256 MiB), and sorted runs on disk below `tmpDir` beyond that.
   */
  spill?: SpillOptions;
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
  /** Set when only one shard was converted (`out` holds its files and shard manifest, no `_metadata`). */
  shard?: ShardSpec;
}

function streamKinds(meta: CheckpointMetadata): Set<string> {
  const kinds = new Set<string>();
  forEachStreamHandle(meta, (h) => kinds.add(h.kind));
  return kinds;
}

function checkBounds(what: string, v: number): void {
  if (!Number.isInteger(v) || v < 1 || v > 32768) throw new UsageError('BadArgument', `${what} must be an integer in 1..32768, got ${v}`);
}

/** The input, what becomes of each operator, and the options that decide the output's bytes. */
interface Conversion {
  resolved: ResolvedCheckpoint;
  meta: CheckpointMetadata;
  sha256: string;
  resolver: HandleResolver;
  relocatable: boolean;
  /** One per operator of the input, in order; undefined for operators left as they are. */
  plans: (OperatorPlan | undefined)[];
  options: ShardOptions;
}

function checkOptions(opts: RekeyOptions): void {
  if (opts.maxParallelism !== undefined) checkBounds('max parallelism', opts.maxParallelism);
  if (opts.parallelism !== undefined) checkBounds('parallelism', opts.parallelism);
  const sh = opts.shard;
  if (sh && !(Number.isInteger(sh.index) && Number.isInteger(sh.count) && sh.index >= 0 && sh.index < sh.count)) {
    throw new UsageError('BadArgument', `shard ${sh.index}/${sh.count}: expected 0 <= index < count`);
  }
}

/** What happened to one operator, from the parts written for it. */
function operatorReport(plan: OperatorPlan, parts: readonly WrittenPart[]): RekeyedOperator {
  const { op } = plan;
  return {
    operatorId: op.operatorId,
    ...(op.uid !== undefined ? { uid: op.uid } : {}),
    oldMaxParallelism: op.maxParallelism,
    newMaxParallelism: plan.maxParallelism,
    oldParallelism: op.parallelism,
    newParallelism: plan.parallelism,
    rekeyed: plan.keyed.length > 0,
    entries: parts.reduce((n, p) => n + p.entries, 0),
    keyGroupsWithData: parts.reduce((n, p) => n + p.keyGroupsWithData, 0),
    files: parts.map((p) => p.file),
  };
}

async function prepare(input: string, opts: RekeyOptions, storages: Storages): Promise<Conversion> {
  const { resolved, metadata: meta, bytes } = await loadCheckpoint(input, { ...opts, storages });
  const resolver = new HandleResolver({ metadataDir: resolved.directory, open: storageOpener(storages, opts) });
  const kinds = streamKinds(meta);
  // relative handles (tag 6) exist from metadata version 3 on
  const relocatable = meta.version >= 3 && [...kinds].every((k) => k === 'relativeFile' || k === 'byteStream' || k === 'keyGroups');
  const picked = opts.operators && new Set(opts.operators.map((ref) => requireOperator(meta.operators, ref, resolved.metadataUri)));
  const plans = meta.operators.map((op) => (picked && !picked.has(op) ? undefined : planOperator(op, opts.maxParallelism ?? op.maxParallelism, opts.parallelism)));
  const options: ShardOptions = {
    maxParallelism: opts.maxParallelism ?? null,
    parallelism: opts.parallelism ?? null,
    operators: picked ? [...picked].map((o) => o.operatorId).sort() : null,
    compress: opts.compress ?? null,
    keySerializer: opts.keySerializer?.className ?? null,
  };
  return { resolved, meta, sha256: createHash('sha256').update(bytes).digest('hex'), resolver, relocatable, plans, options };
}

/** The parts shard `shard` writes: per operator with keyed state, the new subtasks it owns. */
function partsOf(c: Conversion, shard: ShardSpec): ExpectedPart[] {
  return c.plans.flatMap((plan) =>
    plan === undefined || plan.keyed.length === 0
      ? []
      : ownedSubtasks(plan.parallelism, shard).map((index) => ({ operatorId: plan.op.operatorId, index, ...keyGroupRangeOf(plan, index) })),
  );
}

function keyGroupRangeOf(plan: OperatorPlan, index: number): { start: number; count: number } {
  const r = keyGroupRange(plan.maxParallelism, plan.parallelism, index);
  return { start: r.start, count: r.count };
}

/** Writes the new `_metadata` (and copies untouched relative files) once every part is in `output`. */
async function finish(c: Conversion, parts: WrittenPart[], output: RekeyOutput, storages: Storages): Promise<RekeyResult> {
  const report: RekeyedOperator[] = [];
  const operators = c.meta.operators.map((op, i) => {
    const plan = c.plans[i];
    if (plan === undefined) return op;
    const own = parts.filter((p) => p.operatorId === op.operatorId).sort((a, b) => a.index - b.index);
    report.push(operatorReport(plan, own));
    return buildOperator(plan, own, { relocatable: c.relocatable, uri: (name) => output.uri(name) });
  });
  const rewritten: CheckpointMetadata = { ...c.meta, operators };
  delete rewritten.input;
  const copied = await copyRelativeFiles(rewritten, c.resolved.directory, output, storages, new Set(parts.map((p) => p.file)));
  await output.write('_metadata', encodeMetadata(rewritten));
  await output.commit();
  return { source: output.source, out: output.out, relocatable: c.relocatable, operators: report, copied };
}

/** Writes one shard's parts and its manifest (last). */
async function convertShard(c: Conversion, shard: ShardSpec, ctx: Parameters<typeof convertOperator>[2]): Promise<RekeyResult> {
  const parts: WrittenPart[] = [];
  for (const plan of c.plans) if (plan) parts.push(...(await convertOperator(plan, ownedSubtasks(plan.parallelism, shard), ctx)));
  const manifest = { format: 'ckpt-rekey-shard', version: 1, shard: shard.index, shards: shard.count, input: { metadata: c.resolved.metadataUri, sha256: c.sha256 }, options: c.options, parts } as const;
  await ctx.output.write(SHARD_MANIFEST, encodeShardManifest(manifest));
  await ctx.output.commit();
  const operators = c.plans.flatMap((plan) => (plan ? [operatorReport(plan, parts.filter((p) => p.operatorId === plan.op.operatorId))] : []));
  return { source: ctx.output.source, out: ctx.output.out, relocatable: c.relocatable, operators, copied: [], shard };
}

/**
 * Re-keys a canonical keyed savepoint, or turns a RocksDB / ForSt native savepoint or retained
 * (full or incremental) checkpoint into a canonical one, for a new max parallelism (Flink itself
 * cannot): every entry of the chosen operators' keyed state is moved into the key group its key
 * has under the new max parallelism, new key-group files and handles are written, and a new
 * `_metadata` with the new max parallelism. The input is any checkpoint pointer (a local
 * directory or `_metadata`, `s3://…`, `hdfs://…`, `gs://…`), read with ranged reads; it is only
 * read. A local output is written into a temporary sibling of `out` renamed to `out` at the end;
 * on an object store the files go to `out` directly and `_metadata` last (a savepoint without it
 * is no savepoint). Untouched state files referenced relatively are copied, so a relocatable
 * input gives a relocatable output. With `shard`, only that slice is converted (see
 * {@link RekeyOptions.shard}); the output is the same bytes whichever way it was split.
 */
export async function rekeySavepoint(input: string, opts: RekeyOptions): Promise<RekeyResult> {
  checkOptions(opts);
  return withStorages(opts, async (storages) => {
    const c = await prepare(input, opts, storages);
    // a shard retried on an object store finds its unfinished attempt: part files without _shard.json
    const output = await openOutput(c.resolved.directory, opts.out, storages, opts.shard ? { unfinished: isPartName } : {});
    try {
      const framing = await SnappyFraming.create();
      const ctx = {
        resolver: c.resolver,
        framing,
        output,
        ...(opts.compress !== undefined ? { compress: opts.compress } : {}),
        ...(opts.keySerializer ? { keySerializer: opts.keySerializer } : {}),
        ...(opts.spill ? { spill: opts.spill } : {}),
      };
      if (opts.shard) return await convertShard(c, opts.shard, ctx);
      const parts: WrittenPart[] = [];
      for (const plan of c.plans) if (plan) parts.push(...(await convertOperator(plan, undefined, ctx)));
      return await finish(c, parts, output, storages);
    } catch (e) {
      await output.abort();
      throw e;
    }
  });
}

/**
 * The last step of a conversion split with {@link RekeyOptions.shard}: checks that `shardDirs`
 * are shards 0..n-1 of this input with these options (else a `MissingShard`, `DuplicateShard` or
 * `ShardMismatch` StateError), copies their key-group files into `out` and writes `_metadata`,
 * giving the same bytes as one unsplit run into `out`.
 */
export async function assembleRekey(input: string, shardDirs: readonly string[], opts: RekeyOptions): Promise<RekeyResult> {
  checkOptions(opts);
  return withStorages(opts, async (storages) => {
    const c = await prepare(input, opts, storages);
    const shards = checkShards(await readShards(shardDirs, storages), { sha256: c.sha256, options: c.options, partsOf: (s) => partsOf(c, s) });
    const output = await openOutput(c.resolved.directory, opts.out, storages);
    try {
      const parts: WrittenPart[] = [];
      for (const { dir, manifest } of shards) {
        for (const p of manifest.parts) {
          const { storage, path } = await storages.locate(joinUri(dir, p.file));
          const st = await storage.stat(path);
          if (st?.size !== p.size) {
            throw new StateError(st ? 'SizeMismatch' : 'MissingFile', `shard ${manifest.shard}/${manifest.shards}: ${p.file} ${st ? `has ${st.size} bytes, its manifest says ${p.size}` : 'is missing'}`, { file: joinUri(dir, p.file) });
          }
          await output.write(p.file, storage.read(path));
          parts.push(p);
        }
      }
      return await finish(c, parts, output, storages);
    } catch (e) {
      await output.abort();
      throw e;
    }
  });
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
