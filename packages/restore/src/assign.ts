import {

  type CheckpointMetadata,
  type InputChannelStateHandle,
  type KeyGroupRange,
  type KeyedStateHandle,
  type OperatorState,
  type OperatorStateHandle,
  type ResultSubpartitionStateHandle,
  type StreamStateHandle,
} from '@ckpt/format';
import { assignChannelState, ChannelStateRefused, type ChannelVertexRestore, type RescalingDescriptor } from './channel-assignment.js';
import { unmergeInputChannels, unmergeResultSubpartitions } from './channel-state.js';
import { messages, type Finding } from './findings.js';
import type { JobGraph, JobVertex, SubtaskStateMapperName } from './job.js';
import { abstractIdHashCode, expectedSizeCapacity, javaHashMapOrderBy } from './java-hashmap.js';
import { keyGroupPartitions } from './key-groups.js';
import { keyedHandlesForRanges } from './keyed-state.js';
import { repartitionOperatorState } from './operator-state.js';
import { validateFinishedState } from './finished-state.js';
import { restoreMasterHooks, type MasterHookRestore } from './master-hooks.js';
import { validateGraph, validateMappingCompleteness, validateSavepointLoad } from './validate.js';

/** What one operator of one new subtask restores (Flink's `OperatorSubtaskState`, as lists). */
export interface OperatorSubtaskRestore {
  /** Generated operator id (the task looks its state up under this id). */
  operatorId: string;
  managedKeyedState: KeyedStateHandle[];
  rawKeyedState: KeyedStateHandle[];
  managedOperatorState: OperatorStateHandle[];
  rawOperatorState: OperatorStateHandle[];
  inputChannelState: InputChannelStateHandle[];
  resultSubpartitionState: ResultSubpartitionStateHandle[];
  /** How the task remaps in-flight data of its input gates (`null` = no rescaling). */
  inputRescaling: RescalingDescriptor;
  /** How the task remaps in-flight data of its result partitions (`null` = no rescaling). */
  outputRescaling: RescalingDescriptor;
}

/** Restore information of one new subtask (Flink's `JobManagerTaskRestore`); null = starts empty. */
export interface TaskRestore {
  checkpointId: bigint;
  /** Fully finished vertex: deployed as finished, no operator state. */
  deployedAsFinished: boolean;
  /** Chain order, head first; empty when deployed as finished. */
  operators: OperatorSubtaskRestore[];
}

export interface SubtaskRestore {
  index: number;
  /** Key groups this subtask owns under the settled max parallelism. */
  keyGroupRange: KeyGroupRange;
  restore: TaskRestore | null;
}

/** Which stored state an operator of the new job was matched with. */
export interface OperatorMatch {
  operatorId: string;
  /** Id the state was stored under (the uidHash, or the generated id); absent = no stored state. */
  storedUnder?: string;
  state?: OperatorState;
}

export interface VertexRestore {
  vertex: JobVertex;
  parallelism: number;
  /** Max parallelism as Flink settles it (after adoption from the checkpoint). */
  maxParallelism: number;
  /** Whether Flink runs state assignment for this vertex (has state, or neighbours have channel state). */
  processed: boolean;
  fullyFinished: boolean;
  operators: OperatorMatch[];
  subtasks: SubtaskRestore[];
}

export interface CoordinatorRestore {
  operatorId: string;
  vertex: string;
  /** Stored coordinator state; null = reset to "no state". */
  state: StreamStateHandle | null;
}

export interface Assignment {
  checkpointId: bigint;
  /** False when Flink refuses the restore; then `error` is what it prints. */
  ok: boolean;
  error?: Finding;
  findings: Finding[];
  vertices: VertexRestore[];
  coordinators: CoordinatorRestore[];
  /** Stored operator ids whose state is not restored (skipped or shadowed). */
  unrestoredOperatorIds: string[];
  /** Master hooks Flink restores (only when the job registers hooks). */
  masterHooks?: MasterHookRestore[];
}

interface Working {
  vertex: JobVertex;
  maxParallelism: number;
  operators: OperatorMatch[];
  /** Operator states by generated id; placeholders for operators without stored state. */
  states: Map<string, OperatorState>;
  hasNonFinishedState: boolean;
  fullyFinished: boolean;
  hasInputState: boolean;
  hasOutputState: boolean;
}

function placeholder(operatorId: string, parallelism: number, maxParallelism: number): OperatorState {
  return { operatorId, parallelism, maxParallelism, coordinatorState: null, subtasks: [] };
}

function perOldSubtask<T>(state: OperatorState, pick: (s: OperatorState['subtasks'][number]) => T[]): T[][] {
  const out: T[][] = Array.from({ length: state.parallelism }, () => []);
  for (const s of state.subtasks) if (s.index < state.parallelism) out[s.index] = pick(s);
  return out;
}

const one = <T>(h: T | null): T[] => (h === null ? [] : [h]);

function failed(meta: CheckpointMetadata, findings: Finding[], error: Finding, vertices: VertexRestore[] = []): Assignment {
  return { checkpointId: meta.checkpointId, ok: false, error, findings, vertices, coordinators: [], unrestoredOperatorIds: [] };
}

/**
 * Predicts Flink's restore of `meta` into the job `job`: validation (graph build, savepoint load,
 * mapping completeness, per-vertex preconditions) and the state every new subtask receives.
 * Pure: no I/O. Never throws for restore refusals (see `ok`/`error`); throws `RestoreError` for
 * inputs ckpt cannot handle.
 */
export function assignStates(meta: CheckpointMetadata, job: JobGraph): Assignment {
  const findings: Finding[] = [];
  const firstError = (): Finding | undefined => findings.find((f) => f.severity === 'error');

  validateGraph(job, findings);
  let err = firstError();
  if (err) return failed(meta, findings, err);

  let stored = new Map(meta.operators.map((o) => [o.operatorId, o] as const));
  const unrestored: string[] = [];
  if (job.restoreMode === 'savepoint') {
    const kept = validateSavepointLoad(meta, job, findings);
    err = firstError();
    if (err) return failed(meta, findings, err);
    for (const id of stored.keys()) if (!kept.has(id)) unrestored.push(id);
    stored = kept;
  }
  if (job.checkpointIdOfIgnoredInFlightData === meta.checkpointId) {
    stored = new Map([...stored].map(([id, s]) => [id, withoutInFlightData(s)] as const));
    findings.push(messages.ignoredInFlightData(meta.checkpointId));
  }
  validateFinishedState(stored, job, findings);
  err = firstError();
  if (err) return failed(meta, findings, err);
  validateMappingCompleteness(stored, job, findings, unrestored);
  err = firstError();
  if (err) return failed(meta, findings, err);

  // Match operators to stored states (uidHash first if stored, else the generated id).
  const remaining = new Map(stored);
  const working: Working[] = job.vertices.map((vertex) => {
    const states = new Map<string, OperatorState>();
    const operators: OperatorMatch[] = vertex.operators.map((op) => {
      const user = op.userDefinedOperatorId;
      const key = user !== undefined && remaining.has(user) ? user : op.generatedOperatorId;
      const state = remaining.get(key);
      remaining.delete(key);
      if (key === user && remaining.has(op.generatedOperatorId)) findings.push(messages.shadowed(vertex.name, op.generatedOperatorId, user));
      states.set(op.generatedOperatorId, state ?? placeholder(key, vertex.parallelism, vertex.maxParallelism));
      return state === undefined ? { operatorId: op.generatedOperatorId } : { operatorId: op.generatedOperatorId, storedUnder: key, state };
    });
    const all = [...states.values()];
    const head = states.get(vertex.operators[0]!.generatedOperatorId)!;
    const tail = states.get(vertex.operators[vertex.operators.length - 1]!.generatedOperatorId)!;
    return {
      vertex,
      maxParallelism: vertex.maxParallelism,
      operators,
      states,
      hasNonFinishedState: all.some((s) => s.subtasks.length > 0),
      fullyFinished: all.some((s) => s.finishedMarker !== undefined),
      hasInputState: head.subtasks.some((s) => s.inputChannelState.length > 0),
      hasOutputState: tail.subtasks.some((s) => s.resultSubpartitionState.length > 0),
    };
  });
  for (const id of remaining.keys()) if (!unrestored.includes(id)) unrestored.push(id);
  for (const w of working) {
    if (w.fullyFinished && [...w.states.values()].some((s) => s.finishedMarker === undefined)) {
      findings.push(messages.mixedFinished(w.vertex.name));
    }
  }
  err = firstError();
  if (err) return failed(meta, findings, err);

  const producersOf = (vi: number) => job.vertices[vi]!.inputs.map((e) => working[e.from]!);
  const consumers = job.vertices.map(() => [] as { consumer: number; gate: number }[]);
  job.vertices.forEach((v, vi) => v.inputs.forEach((e, gate) => consumers[e.from]!.push({ consumer: vi, gate })));
  const processed = working.map(
    (w, vi) =>
      w.hasNonFinishedState ||
      producersOf(vi).some((p) => p.hasOutputState) ||
      consumers[vi]!.some((c) => working[c.consumer]!.hasInputState),
  );

  // Per-vertex preconditions (may adopt the checkpoint's max parallelism). When several vertices
  // fail, which one Flink reports depends on identity hash codes (not predictable): every failing
  // vertex is a finding, and `error` is the first in job order.
  working.forEach((w, vi) => {
    if (!processed[vi]) return;
    checkPreconditions(w, findings);
  });
  err = firstError();
  let vertices: VertexRestore[];
  try {
    const channels = assignChannelState(
      working.map((w, vi) => {
        const ops = w.vertex.operators;
        const head = w.states.get(ops[0]!.generatedOperatorId)!;
        const tail = w.states.get(ops[ops.length - 1]!.generatedOperatorId)!;
        return {
          name: w.vertex.name,
          parallelism: w.vertex.parallelism,
          inputs: w.vertex.inputs,
          processed: processed[vi]!,
          restoresOperators: processed[vi]! && !w.fullyFinished,
          chainLength: ops.length,
          inputOld: perOldSubtask(head, (x) => unmergeInputChannels(x.inputChannelState)),
          outputOld: perOldSubtask(tail, (x) => unmergeResultSubpartitions(x.resultSubpartitionState)),
          chainedInputState: withChannelData(w, ops[0]!.generatedOperatorId, (x) => unmergeInputChannels(x.inputChannelState)),
          chainedOutputState: withChannelData(w, ops[ops.length - 1]!.generatedOperatorId, (x) => unmergeResultSubpartitions(x.resultSubpartitionState)),
        };
      }),
    );
    vertices = working.map((w, vi) => buildVertex(meta, w, processed[vi]!, channels[vi]!));
  } catch (e) {
    // Flink stops at the first refusal; what the assignment would have hit later does not matter.
    if (e instanceof ChannelStateRefused) findings.push(e.finding);
    else if (!err) throw e;
    return failed(meta, findings, err ?? firstError()!);
  }
  if (err) return failed(meta, findings, err, vertices);

  const coordinators: CoordinatorRestore[] = [];
  for (const v of job.vertices) {
    for (const op of v.operators) {
      const s = stored.get(op.generatedOperatorId);
      if (s?.coordinatorState) coordinators.push({ operatorId: op.generatedOperatorId, vertex: v.name, state: s.coordinatorState });
    }
  }
  const hooks = restoreMasterHooks(meta.masterStates, job, findings);
  err = firstError();
  if (err) return failed(meta, findings, err, vertices);
  const done: Assignment = { checkpointId: meta.checkpointId, ok: true, findings, vertices, coordinators, unrestoredOperatorIds: unrestored };
  if (job.masterHooks.length > 0) done.masterHooks = hooks;
  return done;
}

/** Flink's `OperatorState.copyAndDiscardInFlightData`: no channel state, no coordinator state, and
 * finished subtasks become plain empty ones. */
function withoutInFlightData(s: OperatorState): OperatorState {
  if (s.finishedMarker !== undefined) return { ...s, coordinatorState: null };
  return {
    ...s,
    coordinatorState: null,
    subtasks: s.subtasks.map(({ finished: _finished, ...x }) => ({ ...x, inputChannelState: [], resultSubpartitionState: [] })),
  };
}

/** The vertex's operator states in Flink's HashMap order (its list is tail first). */
function hashMapOrder(w: Working): string[] {
  const ids = [...w.states.keys()].reverse();
  return javaHashMapOrderBy(ids, abstractIdHashCode, expectedSizeCapacity(ids.length));
}

/** Operators other than `expected` holding channel data (a handle with offsets), in Flink's order. */
function withChannelData(
  w: Working,
  expected: string,
  pick: (s: OperatorState['subtasks'][number]) => (InputChannelStateHandle | ResultSubpartitionStateHandle)[],
): string[] {
  const hasData = (h: InputChannelStateHandle | ResultSubpartitionStateHandle): boolean =>
    h.kind === 'inputChannel' || h.kind === 'resultSubpartition' ? h.offsets.length > 0 : true;
  return hashMapOrder(w).filter((id) => id !== expected && w.states.get(id)!.subtasks.some((s) => pick(s).some(hasData)));
}

/** Flink's per-operator precondition check, in its HashMap order of generated operator ids. */
function checkPreconditions(w: Working, findings: Finding[]): void {
  const v = w.vertex;
  const order = hashMapOrder(w);
  const recorded = new Set<number>();
  for (const id of order) {
    const s = w.states.get(id)!;
    if (s.subtasks.length > 0) recorded.add(s.maxParallelism);
    if (s.maxParallelism < v.parallelism) {
      findings.push(messages.restoredMaxBelowParallelism(v.id, v.name, id, s.maxParallelism, v.parallelism));
      return;
    }
    if (s.maxParallelism !== w.maxParallelism) {
      if (!v.maxParallelismConfigured) {
        findings.push(messages.adopted(v.id, v.name, id, w.maxParallelism, s.maxParallelism));
        w.maxParallelism = s.maxParallelism;
      } else {
        findings.push(messages.maxParallelismChanged(v.name, id, s.maxParallelism, w.maxParallelism));
        return;
      }
    }
  }
  if (recorded.size > 1) findings.push(messages.chainConflict(v.name, [...recorded]));
}

function buildVertex(meta: CheckpointMetadata, w: Working, processed: boolean, channels: ChannelVertexRestore): VertexRestore {
  const v = w.vertex;
  const p = v.parallelism;
  const ranges = keyGroupPartitions(Math.max(w.maxParallelism, p), p);
  const assigned = processed || w.fullyFinished;
  const perOp = new Map<string, OperatorSubtaskRestore[]>();
  if (processed) {
    const headId = v.operators[0]!.generatedOperatorId;
    const tailId = v.operators[v.operators.length - 1]!.generatedOperatorId;
    for (const [id, s] of w.states) {
      const managedOp = repartitionOperatorState(perOldSubtask(s, (x) => one(x.managedOperatorState)), p);
      const rawOp = repartitionOperatorState(perOldSubtask(s, (x) => one(x.rawOperatorState)), p);
      const managedOld = perOldSubtask(s, (x) => one(x.managedKeyedState));
      const rawOld = perOldSubtask(s, (x) => one(x.rawKeyedState));
      const rescaled = s.parallelism !== p;
      const managedNew = rescaled ? keyedHandlesForRanges(managedOld, ranges) : managedOld;
      const rawNew = rescaled ? keyedHandlesForRanges(rawOld, ranges) : rawOld;
      const list: OperatorSubtaskRestore[] = [];
      for (let i = 0; i < p; i++) {
        const mk: KeyedStateHandle[] = managedNew[i] ?? [];
        const rk: KeyedStateHandle[] = rawNew[i] ?? [];
        list.push({
          operatorId: id,
          managedKeyedState: mk,
          rawKeyedState: rk,
          managedOperatorState: managedOp[i] ?? [],
          rawOperatorState: rawOp[i] ?? [],
          inputChannelState: id === headId ? channels.input[i]! : [],
          resultSubpartitionState: id === tailId ? channels.output[i]! : [],
          inputRescaling: id === headId ? channels.inputRescaling[i]! : null,
          outputRescaling: id === tailId ? channels.outputRescaling[i]! : null,
        });
      }
      perOp.set(id, list);
    }
  }
  const subtasks: SubtaskRestore[] = ranges.map((keyGroupRange, index) => ({
    index,
    keyGroupRange,
    restore: !assigned
      ? null
      : {
          checkpointId: meta.checkpointId,
          deployedAsFinished: w.fullyFinished,
          operators: w.fullyFinished ? [] : v.operators.map((op) => perOp.get(op.generatedOperatorId)![index]!),
        },
  }));
  return {
    vertex: v,
    parallelism: p,
    maxParallelism: w.maxParallelism,
    processed,
    fullyFinished: w.fullyFinished,
    operators: w.operators,
    subtasks,
  };
}
