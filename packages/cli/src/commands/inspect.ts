import { summarizeCheckpoint } from '@ckpt/storage';
import { loadMetadata } from '../io.js';
import { summaryReport, summaryReportOf, type MetadataSummaryReport as MetadataSummary } from '@ckpt/format';
import { humanBytes, renderTable } from '../table.js';

export interface InspectOptions {
  json?: boolean;
  /** Summarize while streaming the file (same report, memory bounded whatever the file size). */
  stream?: boolean;
}

/** `ckpt inspect <file-or-dir>`: what a checkpoint holds, per operator. */
export async function inspect(target: string, opts: InspectOptions, out: (s: string) => void): Promise<void> {
  let summary: MetadataSummary;
  if (opts.stream) {
    const s = await summarizeCheckpoint(target);
    summary = summaryReport(s.summary, s.input);
  } else {
    summary = summaryReportOf(await loadMetadata(target));
  }
  out(opts.json ? JSON.stringify(summary, null, 2) : renderSummary(summary));
}

export function renderSummary(s: MetadataSummary): string {
  const head = [
    `file:           ${s.file ?? '-'}`,
    `size:           ${s.byteLength ?? '-'} bytes, sha256 ${s.sha256 ?? '-'}`,
    `format version: ${s.version}`,
    `checkpoint id:  ${s.checkpointId}`,
    `type:           ${s.type}`,
    `master states:  ${s.masterStates.length ? s.masterStates.map((m) => `${m.name} (v${m.version}, ${m.bytes} B)`).join(', ') : 'none'}`,
    `operators:      ${s.operators.length}, total state ${humanBytes(s.totalStateSize)}`,
    '',
  ];
  const rows = s.operators.map((o) => [
    o.operatorId,
    o.uid ?? o.name ?? '',
    String(o.parallelism),
    String(o.maxParallelism),
    o.fullyFinished ? 'finished' : `${o.subtasksWithState}/${o.subtasks}${o.finishedSubtasks ? ` (${o.finishedSubtasks} fin)` : ''}`,
    humanBytes(o.stateSize.managedKeyed),
    humanBytes(o.stateSize.rawKeyed),
    humanBytes(BigInt(o.stateSize.managedOperator) + BigInt(o.stateSize.rawOperator) + BigInt(o.stateSize.legacy)),
    humanBytes(BigInt(o.stateSize.inputChannel) + BigInt(o.stateSize.resultSubpartition)),
    o.coordinatorStateBytes ? humanBytes(o.coordinatorStateBytes) : '-',
  ]);
  const table = renderTable(
    ['operator id', 'uid / name', 'par', 'max par', 'subtasks w/ state', 'keyed', 'raw keyed', 'operator', 'channel', 'coordinator'],
    rows,
    [false, false, true, true, true, true, true, true, true, true],
  );
  return head.join('\n') + table;
}
