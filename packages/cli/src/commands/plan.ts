import { assignStates, restorePlan, type RestorePlan } from '@ckpt/restore';
import { loadMetadata } from '../io.js';
import { humanBytes, renderTable } from '../table.js';
import type { JobOptions } from '../register.js';
import { newJob } from './restore-job.js';

export interface PlanOptions extends JobOptions {
  json?: boolean;
}

/** `ckpt plan <pointer> --parallelism N`: what every new subtask reads on restore, and the skew. */
export async function plan(pointer: string, opts: PlanOptions, out: (s: string) => void): Promise<number> {
  const meta = await loadMetadata(pointer);
  const assignment = assignStates(meta, await newJob(meta, pointer, opts));
  if (!assignment.ok) {
    out(opts.json ? JSON.stringify({ ok: false, error: assignment.error }, null, 2) : `Flink would refuse this restore:\n  ${assignment.error!.message}`);
    return 3;
  }
  const p = restorePlan(meta, assignment);
  out(opts.json ? JSON.stringify(p, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2) : renderPlan(p));
  return 0;
}

function renderPlan(p: RestorePlan): string {
  const rows = p.subtasks.map((s) => [
    s.vertex,
    String(s.index),
    s.keyGroups.count === 0 ? '-' : `${s.keyGroups.start}-${s.keyGroups.start + s.keyGroups.count - 1}`,
    String(s.handles),
    humanBytes(s.bytes),
    String(new Set(s.operators.flatMap((o) => o.files.map((f) => f.file))).size),
  ]);
  const lines = [
    renderTable(['vertex', 'subtask', 'key groups', 'handles', 'bytes', 'files'], rows, [false, true, false, true, true, true]),
    '',
    `total: ${humanBytes(p.totalBytes)}`,
  ];
  for (const [v, skew] of Object.entries(p.skew)) {
    const kg = p.keyGroupBalance[v];
    lines.push(`${v}: skew ${skew.toFixed(2)} (max/mean bytes)${kg ? `, key groups per subtask ${kg.min}..${kg.max}` : ''}`);
  }
  for (const a of p.advice) {
    const even = a.evenParallelisms === undefined ? undefined : a.evenParallelisms.length > 12 ? [...a.evenParallelisms.slice(0, 12), '…'] : a.evenParallelisms;
    lines.push(`advice ${a.vertex}: ${even ? `even key-group split at parallelism ${even.join(', ')}; ` : ''}at most ${a.maxRestorableParallelism}`);
    for (const n of a.notes) lines.push(`  ${n}`);
  }
  return lines.join('\n');
}
