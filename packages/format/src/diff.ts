import { humanBytes } from './human-bytes.js';
import type { CheckpointMetadata } from './model.js';
import { summaryReportOf, type OperatorSummaryReport as OperatorSummary } from './summary-report.js';

/** How one operator (by id) differs between two checkpoints. */
export interface OperatorChange {
  operatorId: string;
  uid?: string;
  change: 'added' | 'removed' | 'changed' | 'same';
  details: string[];
}

/** What changed between two checkpoints: operators by id, referenced files by URI. */
export interface CheckpointDiff {
  a: string;
  b: string;
  checkpointIds: [string, string];
  versions: [number, number];
  operators: OperatorChange[];
  files: { onlyA: string[]; onlyB: string[]; shared: string[] };
}

/** One side of a diff: where its `_metadata` is, the decoded model, and the files its handles reference. */
export interface DiffSide {
  uri: string;
  meta: CheckpointMetadata;
  files: Iterable<string>;
}

function compareOperators(a: OperatorSummary, b: OperatorSummary): string[] {
  const out: string[] = [];
  if (a.parallelism !== b.parallelism) out.push(`parallelism ${a.parallelism} → ${b.parallelism}`);
  if (a.maxParallelism !== b.maxParallelism) out.push(`max parallelism ${a.maxParallelism} → ${b.maxParallelism}`);
  if (a.fullyFinished !== b.fullyFinished) out.push(`fully finished ${a.fullyFinished} → ${b.fullyFinished}`);
  for (const k of Object.keys(a.stateSize) as (keyof OperatorSummary['stateSize'])[]) {
    if (k !== 'total' && a.stateSize[k] !== b.stateSize[k]) out.push(`${k} state ${humanBytes(a.stateSize[k])} → ${humanBytes(b.stateSize[k])}`);
  }
  if (a.coordinatorStateBytes !== b.coordinatorStateBytes) out.push(`coordinator state ${a.coordinatorStateBytes} B → ${b.coordinatorStateBytes} B`);
  return out;
}

/** Whether a diff shows any change of state: an operator added, removed or changed, or a file only on one side. */
export function diffChanged(d: CheckpointDiff): boolean {
  return d.operators.some((o) => o.change !== 'same') || d.files.onlyA.length > 0 || d.files.onlyB.length > 0;
}

/** Operators (by id) and referenced files (by URI) of two checkpoints, compared. */
export function diffCheckpoints(a: DiffSide, b: DiffSide): CheckpointDiff {
  const sa = new Map(summaryReportOf(a.meta).operators.map((o) => [o.operatorId, o]));
  const sb = new Map(summaryReportOf(b.meta).operators.map((o) => [o.operatorId, o]));
  const operators: OperatorChange[] = [];
  for (const [id, o] of sa) {
    const other = sb.get(id);
    const base = { operatorId: id, ...(o.uid ?? other?.uid ? { uid: (o.uid ?? other?.uid)! } : {}) };
    if (!other) operators.push({ ...base, change: 'removed', details: [] });
    else {
      const details = compareOperators(o, other);
      operators.push({ ...base, change: details.length ? 'changed' : 'same', details });
    }
  }
  for (const [id, o] of sb) if (!sa.has(id)) operators.push({ operatorId: id, ...(o.uid ? { uid: o.uid } : {}), change: 'added', details: [] });
  const fa = new Set(a.files);
  const fb = new Set(b.files);
  return {
    a: a.uri,
    b: b.uri,
    checkpointIds: [a.meta.checkpointId.toString(), b.meta.checkpointId.toString()],
    versions: [a.meta.version, b.meta.version],
    operators,
    files: {
      onlyA: [...fa].filter((f) => !fb.has(f)).sort(),
      onlyB: [...fb].filter((f) => !fa.has(f)).sort(),
      shared: [...fa].filter((f) => fb.has(f)).sort(),
    },
  };
}
