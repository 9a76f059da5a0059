import { collectFileReferences, loadCheckpoint, Storages } from '@ckpt/storage';
import { summaryReportOf as summarize, type CheckpointMetadata, type OperatorSummaryReport as OperatorSummary } from '@ckpt/format';
import { humanBytes } from '../table.js';

export interface DiffOptions {
  json?: boolean;
}

export interface OperatorChange {
  operatorId: string;
  uid?: string;
  change: 'added' | 'removed' | 'changed' | 'same';
  details: string[];
}

export interface CheckpointDiff {
  a: string;
  b: string;
  checkpointIds: [string, string];
  versions: [number, number];
  operators: OperatorChange[];
  files: { onlyA: string[]; onlyB: string[]; shared: string[] };
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

/** Operators (by id) and referenced files (by absolute URI) of two checkpoints, compared. */
function diffCheckpoints(
  a: { uri: string; dir: string; meta: CheckpointMetadata },
  b: { uri: string; dir: string; meta: CheckpointMetadata },
): CheckpointDiff {
  const sa = new Map(summarize(a.meta).operators.map((o) => [o.operatorId, o]));
  const sb = new Map(summarize(b.meta).operators.map((o) => [o.operatorId, o]));
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
  const fa = new Set(collectFileReferences(a.meta, a.dir).map((r) => r.uri));
  const fb = new Set(collectFileReferences(b.meta, b.dir).map((r) => r.uri));
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

/** `ckpt diff <a> <b>`: what changed between two checkpoints. Exit 0 when identical in state, 6 otherwise. */
export async function diff(a: string, b: string, opts: DiffOptions, out: (s: string) => void): Promise<number> {
  const storages = new Storages();
  try {
    const [la, lb] = await Promise.all([loadCheckpoint(a, { storages }), loadCheckpoint(b, { storages })]);
    const d = diffCheckpoints(
      { uri: la.resolved.metadataUri, dir: la.resolved.directory, meta: la.metadata },
      { uri: lb.resolved.metadataUri, dir: lb.resolved.directory, meta: lb.metadata },
    );
    const changed = d.operators.some((o) => o.change !== 'same') || d.files.onlyA.length > 0 || d.files.onlyB.length > 0;
    if (opts.json) out(JSON.stringify(d, null, 2));
    else {
      out(`a: ${d.a} (checkpoint ${d.checkpointIds[0]}, v${d.versions[0]})\nb: ${d.b} (checkpoint ${d.checkpointIds[1]}, v${d.versions[1]})`);
      for (const o of d.operators) {
        if (o.change === 'same') continue;
        out(`${o.change.padEnd(8)} ${o.operatorId}${o.uid ? ` (${o.uid})` : ''}${o.details.length ? `: ${o.details.join('; ')}` : ''}`);
      }
      out(`files: ${d.files.shared.length} shared, ${d.files.onlyA.length} only in a, ${d.files.onlyB.length} only in b`);
    }
    return changed ? 6 : 0;
  } finally {
    await storages.close();
  }
}
