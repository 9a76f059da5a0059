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
import { assignChannelState, ChannelStateRefused, type ChannelVertexInput, type ChannelVertexRestore, type RescalingDescriptor } from './channel-assignment.js';
import { unmergeInputChannels, unmergeResultSubpartitions } from './channel-state.js';
import { messages, type Finding } from './findings.js';
import type { JobGraph, JobVertex } from './job.js';
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

/** The first refusal among `findings` (Flink stops at it). */
function firstError(findings: Finding[]): Finding | undefined {
  return findings.find((f) => f.severity === 'error');
}

/**
 * Predicts Flink's restore of `meta` into the job `job`: validation (graph build, savepoint load,
 * mapping completeness, per-vertex preconditions) and the state every new subtask receives.
 * Pure: no I/O. Never throws for restore refusals (see `ok`/`error`); throws `RestoreError` for
 * inputs ckpt cannot handle. The phases run in Flink's order; each refusal ends the restore.
 */
export function assignStates(meta: CheckpointMetadata, job: JobGraph): Assignment {
  const findings: Finding[] = [];
  const refused = (vertices: VertexRestore[] = []): Assignment | undefined => {
    const error = firstError(findings);
    return error === undefined ? undefined : failed(meta, findings, error, vertices);
  };
  const unrestored: string[] = [];

  const stored = loadStoredStates(meta, job, findings, unrestored);
  if (stored === undefined) return refused()!;

  const working = matchOperators(job, stored, findings, unrestored);
  const refusedMatch = refused();
  if (refusedMatch) return refusedMatch;

  const processed = processedVertices(job, working);
  // Per-vertex preconditions (may adopt the checkpoint's max parallelism). When several vertices
  // fail, which one Flink reports depends on identity hash codes (not predictable): every failing
  // vertex is a finding, and `error` is the first in job order. The assignment below still runs,
  // so a refused result shows what each subtask would have received.
  working.forEach((w, vi) => {
    if (processed[vi]) checkPreconditions(w, findings);
  });

  let vertices: VertexRestore[];
  try {
    vertices = assignVertices(meta, working, processed);
  } catch (e) {
    // Flink's refusal of channel state is the only expected exception; Flink stops at it.
    if (!(e instanceof ChannelStateRefused)) throw e;
    findings.push(e.finding);
    return refused()!;
  }
  const refusedPreconditions = refused(vertices);
  if (refusedPreconditions) return refusedPreconditions;

  const coordinators = restoreCoordinators(job, stored);
  const hooks = restoreMasterHooks(meta.masterStates, job, findings);
  const refusedHooks = refused(vertices);
  if (refusedHooks) return refusedHooks;
  const done: Assignment = { checkpointId: meta.checkpointId, ok: true, findings, vertices, coordinators, unrestoredOperatorIds: unrestored };
  if (job.masterHooks.length > 0) done.masterHooks = hooks;
  return done;
}

/**
 * Phase 1, loading: the graph is valid, the checkpoint loads for the job (savepoint mode: state of
 * operators the job lacks is dropped or refused), in-flight data is discarded when the job says
 * so, finished state and the mapping are complete. The stored states Flink keeps, by operator id;
 * undefined when it refuses (an error finding). Dropped ids go to `unrestored`.
 */
function loadStoredStates(meta: CheckpointMetadata, job: JobGraph, findings: Finding[], unrestored: string[]): Map<string, OperatorState> | undefined {
  validateGraph(job, findings);
  if (firstError(findings)) return undefined;
  let stored = new Map(meta.operators.map((o) => [o.operatorId, o] as const));
  if (job.restoreMode === 'savepoint') {
    const kept = validateSavepointLoad(meta, job, findings);
    if (firstError(findings)) return undefined;
    for (const id of stored.keys()) if (!kept.has(id)) unrestored.push(id);
    stored = kept;
  }
  if (job.checkpointIdOfIgnoredInFlightData === meta.checkpointId) {
    stored = new Map([...stored].map(([id, s]) => [id, withoutInFlightData(s)] as const));
    findings.push(messages.ignoredInFlightData(meta.checkpointId));
  }
  validateFinishedState(stored, job, findings);
  if (firstError(findings)) return undefined;
  validateMappingCompleteness(stored, job, findings, unrestored);
  if (firstError(findings)) return undefined;
  return stored;
}

/**
 * Phase 2, matching: each operator of the new job gets the stored state under its uidHash (when
 * stored) or else its generated id; a placeholder when none. Stored states nobody takes go to
 * `unrestored`; a vertex mixing fully finished and other operators is a finding.
 */
function matchOperators(job: JobGraph, stored: Map<string, OperatorState>, findings: Finding[], unrestored: string[]): Working[] {
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
  return working;
}

/**
 * Phase 3: the vertices Flink runs state assignment for — those with state, and those whose
 * producers hold output channel state or whose consumers hold input channel state.
 */
function processedVertices(job: JobGraph, working: Working[]): boolean[] {
  const consumers = job.vertices.map(() => [] as number[]);
  job.vertices.forEach((v, vi) => v.inputs.forEach((e) => consumers[e.from]!.push(vi)));
  return working.map(
    (w, vi) =>
      w.hasNonFinishedState ||
      job.vertices[vi]!.inputs.some((e) => working[e.from]!.hasOutputState) ||
      consumers[vi]!.some((c) => working[c]!.hasInputState),
  );
}

/**
 * Phase 4, assignment: channel state for every vertex at once (it depends on neighbours), then
 * keyed and operator state per vertex. Throws {@link ChannelStateRefused} when Flink refuses the
 * channel state.
 */
function assignVertices(meta: CheckpointMetadata, working: Working[], processed: boolean[]): VertexRestore[] {
  const channels = assignChannelState(working.map((w, vi) => channelInput(w, processed[vi]!)));
  return working.map((w, vi) => buildVertex(meta, w, processed[vi]!, channels[vi]!));
}

/** What the channel assignment needs of one vertex: its old channel state (head's input, tail's output). */
function channelInput(w: Working, processed: boolean): ChannelVertexInput {
  const ops = w.vertex.operators;
  const headId = ops[0]!.generatedOperatorId;
  const tailId = ops[ops.length - 1]!.generatedOperatorId;
  return {
    name: w.vertex.name,
    parallelism: w.vertex.parallelism,
    inputs: w.vertex.inputs,
    processed,
    restoresOperators: processed && !w.fullyFinished,
    chainLength: ops.length,
    inputOld: perOldSubtask(w.states.get(headId)!, (x) => unmergeInputChannels(x.inputChannelState)),
    outputOld: perOldSubtask(w.states.get(tailId)!, (x) => unmergeResultSubpartitions(x.resultSubpartitionState)),
    chainedInputState: withChannelData(w, headId, (x) => unmergeInputChannels(x.inputChannelState)),
    chainedOutputState: withChannelData(w, tailId, (x) => unmergeResultSubpartitions(x.resultSubpartitionState)),
  };
}

/** Phase 5: coordinator state of every operator of the new job that has some stored. */
function restoreCoordinators(job: JobGraph, stored: Map<string, OperatorState>): CoordinatorRestore[] {
  const coordinators: CoordinatorRestore[] = [];
  for (const v of job.vertices) {
    for (const op of v.operators) {
      const s = stored.get(op.generatedOperatorId);
      if (s?.coordinatorState) coordinators.push({ operatorId: op.generatedOperatorId, vertex: v.name, state: s.coordinatorState });
    }
  }
  return coordinators;
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
