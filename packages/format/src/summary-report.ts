import type { CheckpointMetadata } from './model.js';
import type { SubtaskStateSizes } from './sizes.js';
import { summarizeMetadata, type MetadataSummary, type OperatorSummary } from './summary.js';
import type { CheckpointPropertiesView } from './trailer/index.js';

/**
 * The report form of an {@link OperatorSummary} (what `ckpt inspect --json` prints and the HTML
 * report shows): the same counts, sizes as decimal strings (they may exceed 2^53) with a total.
 */
export type OperatorSummaryReport = Pick<
  OperatorSummary,
  'operatorId' | 'uid' | 'name' | 'parallelism' | 'maxParallelism' | 'subtasks' | 'subtasksWithState' | 'finishedSubtasks' | 'fullyFinished'
> & {
  coordinatorStateBytes: number;
  /** Bytes by kind of state, summed over subtasks. */
  stateSize: Record<keyof SubtaskStateSizes | 'total', string>;
};

/** The report form of a {@link MetadataSummary}, with the input it describes. */
export type MetadataSummaryReport = Pick<MetadataSummary, 'version' | 'masterStates'> & {
  file?: string;
  byteLength?: number;
  sha256?: string;
  checkpointId: string;
  /** `savepoint (CANONICAL)`, `checkpoint`, … */
  type: string;
  properties?: Record<string, boolean | string | null>;
  operators: OperatorSummaryReport[];
  totalStateSize: string;
};

const KINDS = [
  'managedKeyed',
  'rawKeyed',
  'managedOperator',
  'rawOperator',
  'inputChannel',
  'resultSubpartition',
  'legacy',
] as const;

/** `savepoint (CANONICAL)`, `checkpoint`, … from the version and the trailer's view. */
export function snapshotTypeLabel(meta: Pick<CheckpointMetadata, 'version'> & { properties?: { view: CheckpointPropertiesView | null } }): string {
  return typeLabel(meta.version, meta.properties === undefined ? undefined : meta.properties.view);
}

function typeLabel(version: number, view: CheckpointPropertiesView | null | undefined): string {
  if (version < 4) return 'unknown (no properties before version 4)';
  if (!view) return 'unknown (null properties)';
  const t = view.snapshotType;
  if (t.kind === 'savepoint') return `savepoint (${t.formatType ?? '?'}${t.name && t.name !== 'Savepoint' ? `, ${t.name}` : ''})`;
  if (t.kind === 'checkpoint') return t.name && t.name !== 'Checkpoint' ? `checkpoint (${t.name})` : 'checkpoint';
  return `unknown (${t.className})`;
}

/** The input a summary describes (absent fields are left out of the report). */
export interface SummaryInput {
  file?: string;
  byteLength?: number;
  sha256?: string;
}

/**
 * The report of a format summary, which comes from a decoded model or from streaming the file
 * (`summarizeMetadataStream`): both give the same report.
 */
export function summaryReport(s: MetadataSummary, input: SummaryInput = {}): MetadataSummaryReport {
  const operators = s.operators.map((o): OperatorSummaryReport => {
    const total = KINDS.reduce((n, k) => n + o.stateSize[k], 0n);
    const out: OperatorSummaryReport = {
      operatorId: o.operatorId,
      parallelism: o.parallelism,
      maxParallelism: o.maxParallelism,
      subtasks: o.subtasks,
      subtasksWithState: o.subtasksWithState,
      finishedSubtasks: o.finishedSubtasks,
      fullyFinished: o.fullyFinished,
      coordinatorStateBytes: Number(o.coordinatorStateSize),
      stateSize: { ...Object.fromEntries(KINDS.map((k) => [k, o.stateSize[k].toString()])), total: total.toString() } as OperatorSummaryReport['stateSize'],
    };
    if (o.uid !== undefined) out.uid = o.uid;
    if (o.name !== undefined) out.name = o.name;
    return out;
  });
  const out: MetadataSummaryReport = {
    version: s.version,
    checkpointId: s.checkpointId.toString(),
    type: typeLabel(s.version, s.properties),
    masterStates: s.masterStates.map((m) => ({ ...m })),
    operators,
    totalStateSize: operators.reduce((n, o) => n + BigInt(o.stateSize.total), 0n).toString(),
  };
  if (input.file !== undefined) out.file = input.file;
  if (input.byteLength !== undefined) out.byteLength = input.byteLength;
  if (input.sha256 !== undefined) out.sha256 = input.sha256;
  const view = s.properties;
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

/** The report of a decoded model. */
export function summaryReportOf(meta: CheckpointMetadata): MetadataSummaryReport {
  const input: SummaryInput = {};
  if (meta.input?.file !== undefined) input.file = meta.input.file;
  if (meta.input) input.byteLength = meta.input.byteLength;
  if (meta.input?.sha256 !== undefined) input.sha256 = meta.input.sha256;
  return summaryReport(summarizeMetadata(meta), input);
}
