import {
  hasState,
  subtaskStateSizes,
  type CheckpointMetadata,
  type OperatorState,
  type SubtaskStateSizes,
} from '@ckpt/format';

/** What `ckpt inspect` reports about one operator. */
export interface OperatorSummary {
  operatorId: string;
  uid?: string;
  name?: string;
  parallelism: number;
  maxParallelism: number;
  subtasks: number;
  subtasksWithState: number;
  finishedSubtasks: number;
  fullyFinished: boolean;
  coordinatorStateBytes: number;
  /** Bytes by kind of state, summed over subtasks (decimal strings: they may exceed 2^53). */
  stateSize: Record<keyof SubtaskStateSizes | 'total', string>;
}

/** What `ckpt inspect` reports about a checkpoint. */
export interface MetadataSummary {
  file?: string;
  byteLength?: number;
  sha256?: string;
  version: number;
  checkpointId: string;
  type: string;
  properties?: Record<string, boolean | string | null>;
  masterStates: { name: string; version: number; bytes: number }[];
  operators: OperatorSummary[];
  totalStateSize: string;
}

const KINDS = [
  'managedKeyed',
  'rawKeyed',
  'managedOperator',
  'rawOperator',
  'inputChannel',
  'resultSubpartition',
  'legacy',
] as const;

export function snapshotTypeLabel(meta: CheckpointMetadata): string {
  if (meta.version < 4) return 'unknown (no properties before version 4)';
  const view = meta.properties?.view;
  if (!view) return 'unknown (null properties)';
  const t = view.snapshotType;
  if (t.kind === 'savepoint') return `savepoint (${t.formatType ?? '?'}${t.name && t.name !== 'Savepoint' ? `, ${t.name}` : ''})`;
  if (t.kind === 'checkpoint') return t.name && t.name !== 'Checkpoint' ? `checkpoint (${t.name})` : 'checkpoint';
  return `unknown (${t.className})`;
}

function summarizeOperator(op: OperatorState): OperatorSummary {
  const sums: Record<keyof SubtaskStateSizes, bigint> = Object.fromEntries(KINDS.map((k) => [k, 0n])) as Record<
    keyof SubtaskStateSizes,
    bigint
  >;
  let withState = 0;
  let finished = 0;
  for (const s of op.subtasks) {
    if (s.finished) finished++;
    if (hasState(s)) withState++;
    const sizes = subtaskStateSizes(s);
    for (const k of KINDS) sums[k] += sizes[k];
  }
  const total = KINDS.reduce((n, k) => n + sums[k], 0n);
  const c = op.coordinatorState;
  const out: OperatorSummary = {
    operatorId: op.operatorId,
    parallelism: op.parallelism,
    maxParallelism: op.maxParallelism,
    subtasks: op.subtasks.length,
    subtasksWithState: withState,
    finishedSubtasks: finished,
    fullyFinished: op.finishedMarker !== undefined,
    coordinatorStateBytes: c?.kind === 'byteStream' ? c.data.length : 0,
    stateSize: { ...Object.fromEntries(KINDS.map((k) => [k, sums[k].toString()])), total: total.toString() } as OperatorSummary['stateSize'],
  };
  if (op.uid !== undefined) out.uid = op.uid;
  if (op.name !== undefined) out.name = op.name;
  return out;
}

export function summarize(meta: CheckpointMetadata): MetadataSummary {
  const operators = meta.operators.map(summarizeOperator);
  const out: MetadataSummary = {
    version: meta.version,
    checkpointId: meta.checkpointId.toString(),
    type: snapshotTypeLabel(meta),
    masterStates: meta.masterStates.map((m) => ({ name: m.name, version: m.version, bytes: m.payload.length })),
    operators,
    totalStateSize: operators.reduce((n, o) => n + BigInt(o.stateSize.total), 0n).toString(),
  };
  if (meta.input?.file !== undefined) out.file = meta.input.file;
  if (meta.input) out.byteLength = meta.input.byteLength;
  if (meta.input?.sha256 !== undefined) out.sha256 = meta.input.sha256;
  const view = meta.properties?.view;
  if (view) {
    out.properties = {
      discardCancelled: view.discardCancelled,
      discardFailed: view.discardFailed,
      discardFinished: view.discardFinished,
      discardSubsumed: view.discardSubsumed,
      discardSuspended: view.discardSuspended,
      forced: view.forced,
      unclaimed: view.unclaimed,
      snapshotTypeName: view.snapshotType.name,
    };
  }
  return out;
}
