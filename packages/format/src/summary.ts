import { FormatError } from './errors.js';
import type {
  CheckpointMetadata,
  KeyedStateHandle,
  MasterState,
  OperatorState,
  OperatorStateHandle,
  StreamStateHandle,
  SubtaskState,
} from './model.js';
import { hasState, streamStateSize, subtaskStateSizes, type SubtaskStateSizes } from './sizes.js';
import type { CheckpointPropertiesView } from './trailer/index.js';

/** How many handles of each kind (`file`, `incremental`, `operatorStream`, `inputChannel` …). */
export type HandleCounts = Record<string, number>;

/** What one operator holds, summed over its subtasks. */
export interface OperatorSummary {
  operatorId: string;
  name?: string;
  uid?: string;
  parallelism: number;
  maxParallelism: number;
  /** Subtask records in the file (finished ones included). */
  subtasks: number;
  /** Subtask records that hold any state handle. */
  subtasksWithState: number;
  finishedSubtasks: number;
  /** The operator was written as fully finished (no subtask records). */
  fullyFinished: boolean;
  /** Bytes of inline coordinator state. */
  coordinatorStateSize: bigint;
  /** State size by kind, summed over the subtasks (as {@link subtaskStateSizes}). */
  stateSize: SubtaskStateSizes;
  handles: HandleCounts;
}

/** A per-operator digest of a `_metadata` file: counts and sizes, no handles. */
export interface MetadataSummary {
  version: number;
  checkpointId: bigint;
  /** Master (hook) states: name, version and payload size. */
  masterStates: { name: string; version: number; bytes: number }[];
  operators: OperatorSummary[];
  /** Sum over all operators. */
  totals: { subtasks: number; stateSize: bigint; handles: HandleCounts };
  /** Checkpoint or savepoint, retention (V4+; `null` where the trailer is a Java null). */
  properties?: CheckpointPropertiesView | null;
}

const zeroSizes = (): SubtaskStateSizes => ({
  managedKeyed: 0n,
  rawKeyed: 0n,
  managedOperator: 0n,
  rawOperator: 0n,
  inputChannel: 0n,
  resultSubpartition: 0n,
  legacy: 0n,
});

/**
 * Builds a {@link MetadataSummary} one operator header and one subtask at a time, so a caller can
 * summarize a file without holding its model (see `summarizeMetadataStream`).
 */
export class SummaryBuilder {
  private readonly summary: MetadataSummary;
  private current: OperatorSummary | undefined;

  constructor(version: number, checkpointId: bigint) {
    this.summary = {
      version,
      checkpointId,
      masterStates: [],
      operators: [],
      totals: { subtasks: 0, stateSize: 0n, handles: {} },
    };
  }

  addMasterState(m: MasterState): void {
    this.summary.masterStates.push({ name: m.name, version: m.version, bytes: m.payload.length });
  }

  /** Starts an operator (its subtasks are ignored: add them with {@link addSubtask}). */
  addOperator(op: OperatorState): void {
    const handles: HandleCounts = {};
    const c = op.coordinatorState;
    if (c !== null) countStream(c, handles);
    const o: OperatorSummary = {
      operatorId: op.operatorId,
      parallelism: op.parallelism,
      maxParallelism: op.maxParallelism,
      subtasks: 0,
      subtasksWithState: 0,
      finishedSubtasks: 0,
      fullyFinished: op.finishedMarker !== undefined,
      coordinatorStateSize: streamStateSize(c),
      stateSize: zeroSizes(),
      handles,
    };
    if (op.name !== undefined) o.name = op.name;
    if (op.uid !== undefined) o.uid = op.uid;
    this.summary.operators.push(o);
    this.current = o;
  }

  addSubtask(s: SubtaskState): void {
    const o = this.current;
    if (o === undefined) throw new FormatError('Internal', 'SummaryBuilder: addSubtask before addOperator');
    o.subtasks++;
    if (s.finished) o.finishedSubtasks++;
    if (hasState(s)) o.subtasksWithState++;
    const sizes = subtaskStateSizes(s);
    for (const k of Object.keys(sizes) as (keyof SubtaskStateSizes)[]) o.stateSize[k] += sizes[k];
    countSubtask(s, o.handles);
  }

  setProperties(view: CheckpointPropertiesView | null): void {
    this.summary.properties = view;
  }

  finish(): MetadataSummary {
    const t = this.summary.totals;
    t.subtasks = 0;
    t.stateSize = 0n;
    t.handles = {};
    for (const o of this.summary.operators) {
      t.subtasks += o.subtasks;
      t.stateSize += o.coordinatorStateSize;
      for (const v of Object.values(o.stateSize)) t.stateSize += v;
      for (const [k, n] of Object.entries(o.handles)) t.handles[k] = (t.handles[k] ?? 0) + n;
    }
    return this.summary;
  }
}

/** The summary of a decoded model (what the streaming summary computes without the model). */
export function summarizeMetadata(meta: CheckpointMetadata): MetadataSummary {
  const b = new SummaryBuilder(meta.version, meta.checkpointId);
  for (const m of meta.masterStates) b.addMasterState(m);
  for (const op of meta.operators) {
    b.addOperator(op);
    for (const s of op.subtasks) b.addSubtask(s);
  }
  if (meta.properties !== undefined) b.setProperties(meta.properties.view);
  return b.finish();
}

const bump = (counts: HandleCounts, kind: string): void => {
  counts[kind] = (counts[kind] ?? 0) + 1;
};

function countStream(h: StreamStateHandle | null, counts: HandleCounts): void {
  if (h === null) return;
  bump(counts, h.kind);
  if (h.kind === 'keyGroups') countStream(h.delegate, counts);
}

function countOperator(h: OperatorStateHandle | null, counts: HandleCounts): void {
  if (h === null) return;
  bump(counts, h.kind);
  countStream(h.delegate, counts);
}

function countKeyed(h: KeyedStateHandle | null, counts: HandleCounts): void {
  if (h === null) return;
  bump(counts, h.kind);
  switch (h.kind) {
    case 'keyGroups':
    case 'savepointKeyGroups':
      countStream(h.delegate, counts);
      return;
    case 'incremental':
      countStream(h.metaStateHandle, counts);
      for (const e of h.sharedState) countStream(e.handle, counts);
      for (const e of h.privateState) countStream(e.handle, counts);
      return;
    case 'changelog':
      for (const m of h.materialized) countKeyed(m, counts);
      for (const m of h.nonMaterialized) countKeyed(m, counts);
      return;
    case 'changelogFile':
      for (const s of h.segments) countStream(s.handle, counts);
      return;
    case 'inMemoryChangelog':
      return;
  }
}

function countSubtask(s: SubtaskState, counts: HandleCounts): void {
  countOperator(s.managedOperatorState, counts);
  countOperator(s.rawOperatorState, counts);
  for (const h of s.chain?.managed ?? []) countOperator(h, counts);
  for (const h of s.chain?.raw ?? []) countOperator(h, counts);
  for (const h of s.legacy?.legacyOperatorState ?? []) countStream(h, counts);
  countKeyed(s.managedKeyedState, counts);
  countKeyed(s.rawKeyedState, counts);
  for (const h of s.inputChannelState) {
    bump(counts, h.kind);
    countStream(h.delegate, counts);
  }
  for (const h of s.resultSubpartitionState) {
    bump(counts, h.kind);
    countStream(h.delegate, counts);
  }
}
