import { operatorIdFromUid } from '@ckpt/format';
import { RestoreError } from './errors.js';
import {
  UPPER_BOUND_MAX_PARALLELISM,

  computeDefaultMaxParallelism,
} from './key-groups.js';

/**
 * The new job, as written by a user (see `schemas/job-description.schema.json`). Superset of the
 * request format of the conformance assignment oracle (`conformance/run.sh <line> assign`).
 */
export interface JobDescription {
  /** `savepoint` (default): `-s` restore, runs Flink's load-time validation; `checkpoint`: restore
   * of the latest checkpoint from the HA store (allowNonRestoredState is forced to false). */
  restoreMode?: RestoreMode;
  /** `--allowNonRestoredState` / `-n` (savepoint restore only). */
  allowNonRestoredState?: boolean;
  /** Job-wide `pipeline.max-parallelism`, used by vertices whose head sets none. */
  maxParallelism?: number;
  /** Job-wide default parallelism for vertices that set none. */
  parallelism?: number;
  /** Where the snapshot lives, as Flink prints it in messages (e.g. `file:/savepoints/sp-1`). */
  checkpointPointer?: string;
  /** Identifiers of the master hooks the new job registers (`MasterTriggerRestoreHook.getIdentifier`). */
  masterHooks?: string[];
  /** `execution.checkpointing.recover-without-channel-state.checkpoint-id`: in-flight data of the
   * checkpoint with this id is dropped before the restore. */
  checkpointIdOfIgnoredInFlightData?: number | string;
  vertices: VertexDescription[];
}

export type RestoreMode = 'savepoint' | 'checkpoint';

/** A job vertex: a chain of operators, **head first** (the head reads the vertex inputs). */
export interface VertexDescription {
  name?: string;
  parallelism?: number;
  /** Explicit max parallelism of the vertex (else the head operator's, else the job's, else default). */
  maxParallelism?: number;
  /** Operators: a 32-hex operator id, or an object. */
  operators: (string | OperatorDescription)[];
  /** Input edges in input-gate order (only needed for channel state). */
  inputs?: InputDescription[];
}

/** One operator. Its generated id is `id`, or derived from `uid`; `uidHash` sets the user-defined id. */
export interface OperatorDescription {
  uid?: string;
  uidHash?: string;
  id?: string;
  name?: string;
  maxParallelism?: number;
}

/** Flink's SubtaskStateMapper names. */
export type SubtaskStateMapperName = 'ARBITRARY' | 'FIRST' | 'FULL' | 'RANGE' | 'ROUND_ROBIN' | 'UNSUPPORTED';

export interface InputDescription {
  /** Name of the producing vertex. */
  from: string;
  pattern?: 'ALL_TO_ALL' | 'POINTWISE';
  upstreamMapper?: SubtaskStateMapperName;
  downstreamMapper?: SubtaskStateMapperName;
}

/** An operator of the new job, as Flink's `OperatorIDPair` plus what the user called it. */
export interface OperatorIDPair {
  generatedOperatorId: string;
  userDefinedOperatorId?: string;
  uid?: string;
  name?: string;
  /** Max parallelism set on this operator (informative for non-head operators). */
  maxParallelism?: number;
}

export interface JobEdge {
  /** Index of the producing vertex in {@link JobGraph.vertices}. */
  from: number;
  pattern: 'ALL_TO_ALL' | 'POINTWISE';
  upstreamMapper: SubtaskStateMapperName;
  downstreamMapper: SubtaskStateMapperName;
}

/** A normalised job vertex (before any state was looked at). */
export interface JobVertex {
  /** Job vertex id = generated id of the head operator. */
  id: string;
  name: string;
  parallelism: number;
  /** `m_job` before adoption from the checkpoint. */
  maxParallelism: number;
  /** False when `maxParallelism` was computed by default (then the checkpoint's may be adopted). */
  maxParallelismConfigured: boolean;
  /** Head first. */
  operators: OperatorIDPair[];
  /** Input edges in gate order. */
  inputs: JobEdge[];
}

export interface JobGraph {
  restoreMode: RestoreMode;
  allowNonRestoredState: boolean;
  checkpointPointer?: string;
  /** Master hook identifiers of the new job (empty: none registered). */
  masterHooks: string[];
  /** Checkpoint id whose in-flight data Flink drops before restoring (`-1`: none). */
  checkpointIdOfIgnoredInFlightData: bigint;
  vertices: JobVertex[];
}

const HEX32 = /^[0-9a-fA-F]{32}$/;
const MAPPERS = new Set(['ARBITRARY', 'FIRST', 'FULL', 'RANGE', 'ROUND_ROBIN', 'UNSUPPORTED']);

function invalid(path: string, detail: string): RestoreError {
  return new RestoreError('InvalidJobDescription', detail, { path });
}

function operatorPair(o: string | OperatorDescription, path: string): OperatorIDPair {
  if (typeof o === 'string') {
    if (!HEX32.test(o)) throw invalid(path, `an operator given as a string must be a 32-hex operator id, got ${JSON.stringify(o)}`);
    return { generatedOperatorId: o.toLowerCase() };
  }
  if (o === null || typeof o !== 'object') throw invalid(path, 'expected an operator id or object');
  let generated: string | undefined;
  if (o.id !== undefined) {
    if (!HEX32.test(o.id)) throw invalid(`${path}.id`, `operator id must be 32 hex digits, got ${JSON.stringify(o.id)}`);
    generated = o.id.toLowerCase();
  }
  if (o.uid !== undefined) {
    const fromUid = operatorIdFromUid(o.uid);
    if (generated !== undefined && generated !== fromUid) {
      throw invalid(path, `id ${generated} is not the id of uid ${JSON.stringify(o.uid)} (${fromUid})`);
    }
    generated = fromUid;
  }
  if (generated === undefined) {
    throw invalid(path, 'an operator needs `uid` or `id` (an operator without uid has a graph-derived id ckpt cannot compute)');
  }
  const pair: OperatorIDPair = { generatedOperatorId: generated };
  if (o.uidHash !== undefined) {
    if (!HEX32.test(o.uidHash)) throw invalid(`${path}.uidHash`, 'uidHash must be 32 hex digits');
    pair.userDefinedOperatorId = o.uidHash.toLowerCase();
  }
  if (o.uid !== undefined) pair.uid = o.uid;
  if (o.name !== undefined) pair.name = o.name;
  if (o.maxParallelism !== undefined) pair.maxParallelism = o.maxParallelism;
  return pair;
}

function boundedInt(v: unknown, path: string, what: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalid(path, `${what} must be an integer`);
  if (v < 1 || v > UPPER_BOUND_MAX_PARALLELISM) {
    throw invalid(path, `${what} must be in 1..${UPPER_BOUND_MAX_PARALLELISM}, got ${v}`);
  }
  return v;
}

/**
 * Normalises a job description the way Flink builds its execution graph: vertex max parallelism
 * from the vertex, else the chain head, else the job; otherwise the default for the parallelism
 * (auto-configured). Does not check `parallelism <= maxParallelism` (that is a finding).
 */
export function normalizeJob(desc: JobDescription): JobGraph {
  if (desc === null || typeof desc !== 'object' || !Array.isArray(desc.vertices)) {
    throw invalid('', 'a job description needs a `vertices` array');
  }
  const mode = desc.restoreMode ?? 'savepoint';
  if (mode !== 'savepoint' && mode !== 'checkpoint') throw invalid('restoreMode', `unknown restore mode ${String(mode)}`);
  const jobMax = desc.maxParallelism === undefined ? undefined : boundedInt(desc.maxParallelism, 'maxParallelism', 'maxParallelism');
  const seen = new Map<string, string>();
  const names = new Map<string, number>();
  const vertices: JobVertex[] = desc.vertices.map((v, vi) => {
    const path = `vertices[${vi}]`;
    if (!Array.isArray(v.operators) || v.operators.length === 0) throw invalid(`${path}.operators`, 'a vertex needs at least one operator');
    const operators = v.operators.map((o, oi) => operatorPair(o, `${path}.operators[${oi}]`));
    for (const [oi, o] of operators.entries()) {
      for (const id of [o.generatedOperatorId, o.userDefinedOperatorId]) {
        if (id === undefined) continue;
        const prev = seen.get(id);
        if (prev !== undefined && prev !== `${path}.operators[${oi}]`) throw invalid(`${path}.operators[${oi}]`, `operator id ${id} appears twice (also at ${prev})`);
        seen.set(id, `${path}.operators[${oi}]`);
      }
    }
    const head = operators[0]!;
    const parallelism = boundedInt(v.parallelism ?? desc.parallelism, `${path}.parallelism`, 'parallelism');
    const configured = v.maxParallelism ?? head.maxParallelism ?? jobMax;
    const name = v.name ?? head.name ?? head.uid ?? head.generatedOperatorId;
    if (names.has(name)) throw invalid(`${path}.name`, `vertex name ${JSON.stringify(name)} used twice`);
    names.set(name, vi);
    return {
      id: head.generatedOperatorId,
      name,
      parallelism,
      maxParallelism: configured === undefined ? computeDefaultMaxParallelism(parallelism) : boundedInt(configured, `${path}.maxParallelism`, 'maxParallelism'),
      maxParallelismConfigured: configured !== undefined,
      operators,
      inputs: [],
    };
  });
  desc.vertices.forEach((v, vi) => {
    for (const [ii, inp] of (v.inputs ?? []).entries()) {
      const path = `vertices[${vi}].inputs[${ii}]`;
      const from = names.get(inp.from);
      if (from === undefined) throw invalid(path, `unknown input vertex ${JSON.stringify(inp.from)}`);
      for (const m of [inp.upstreamMapper, inp.downstreamMapper]) {
        if (m !== undefined && !MAPPERS.has(m)) throw invalid(path, `unknown SubtaskStateMapper ${m}`);
      }
      const pattern = inp.pattern ?? 'ALL_TO_ALL';
      vertices[vi]!.inputs.push({
        from,
        pattern,
        // JobEdge defaults (the stream graph generator sets the partitioner-specific ones).
        upstreamMapper: inp.upstreamMapper ?? 'ROUND_ROBIN',
        downstreamMapper: inp.downstreamMapper ?? 'ROUND_ROBIN',
      });
    }
  });
  const job: JobGraph = {
    restoreMode: mode,
    allowNonRestoredState: mode === 'savepoint' && desc.allowNonRestoredState === true,
    masterHooks: masterHooks(desc.masterHooks),
    checkpointIdOfIgnoredInFlightData: ignoredInFlight(desc.checkpointIdOfIgnoredInFlightData),
    vertices,
  };
  if (desc.checkpointPointer !== undefined) job.checkpointPointer = desc.checkpointPointer;
  return job;
}


function masterHooks(hooks: unknown): string[] {
  if (hooks === undefined) return [];
  if (!Array.isArray(hooks) || hooks.some((h) => typeof h !== 'string')) throw invalid('masterHooks', 'expected an array of hook identifiers');
  if (new Set(hooks).size !== hooks.length) throw invalid('masterHooks', 'hook identifiers must be unique');
  return [...(hooks as string[])];
}

function ignoredInFlight(id: unknown): bigint {
  if (id === undefined) return -1n;
  if ((typeof id === 'number' && Number.isSafeInteger(id)) || (typeof id === 'string' && /^-?[0-9]+$/.test(id))) return BigInt(id);
  throw invalid('checkpointIdOfIgnoredInFlightData', 'expected a checkpoint id');
}
