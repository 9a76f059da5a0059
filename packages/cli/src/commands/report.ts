import { loadCheckpoint, localPathOf } from '@ckpt/storage';
import type { CommandContext } from '../context.js';
import { writeAtomically } from '../io.js';
import { renderReport } from '../report/html.js';
import { buildReport } from '../report/model.js';
import type { JobOptions } from '../register.js';
import { newJob } from './restore-job.js';

export interface ReportOptions extends JobOptions {
  /** Where to write the HTML (default `report.html`). */
  out?: string;
}

function describeTarget(o: JobOptions): string {
  if (o.job !== undefined) return `the job in ${o.job}`;
  const parts = [o.parallelism !== undefined ? `parallelism ${o.parallelism}` : 'the stored parallelism'];
  if (o.set?.length) parts.push(`with ${o.set.join(', ')}`);
  return parts.join(' ');
}

/**
 * `ckpt report <checkpoint> --out report.html`: one self-contained HTML file with the checkpoint
 * summary, state size per operator and kind, the rescale plan and Flink's verdict. Returns 3 when
 * Flink would refuse the restore (the report is written all the same), like `plan` and `check`.
 */
export async function report(pointer: string, opts: ReportOptions, ctx: Pick<CommandContext, 'info'>): Promise<number> {
  const { resolved, metadata } = await loadCheckpoint(pointer);
  const job = await newJob(metadata, pointer, opts);
  const model = buildReport(metadata, resolved, job, describeTarget(opts));
  const out = opts.out ?? 'report.html';
  await writeAtomically(out, renderReport(model), [pointer, localPathOf(resolved.metadataUri) ?? pointer]);
  ctx.info(`wrote ${out} (checkpoint ${model.summary.checkpointId}, ${model.summary.operators.length} operators, ${model.verdict.ok ? 'restorable' : 'Flink would refuse the restore'})`);
  return model.verdict.ok ? 0 : 3;
}
