import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { loadCheckpoint } from '@ckpt/storage';
import type { CommandContext } from '../context.js';
import { writeAtomically } from '../io.js';
import { renderReport } from '../report/html.js';
import { buildReport } from '../report/model.js';
import { jobOptions, newJob, type JobOptions } from './restore-job.js';

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

/** Local paths of a URI, to refuse writing the report over an input. */
function localPath(uri: string): string[] {
  return /^file:/i.test(uri) ? [fileURLToPath(uri.replace(/^file:\/(?!\/)/, 'file:///'))] : [];
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
  await writeAtomically(out, renderReport(model), [pointer, ...localPath(resolved.metadataUri)]);
  ctx.info(`wrote ${out} (checkpoint ${model.summary.checkpointId}, ${model.summary.operators.length} operators, ${model.verdict.ok ? 'restorable' : 'Flink would refuse the restore'})`);
  return model.verdict.ok ? 0 : 3;
}

export function registerReport(program: Command, ctx: CommandContext, result: { code: number }): void {
  jobOptions(
    program
      .command('report')
      .description('write one self-contained HTML report: summary, state per operator and kind, rescale plan, Flink\'s verdict (exit 3 when Flink would refuse)')
      .argument('<checkpoint>', 'checkpoint/savepoint directory, _metadata, or any storage URI')
      .option('-o, --out <file>', 'the HTML file to write (default report.html; never over the input)'),
  )
    .addHelpText('after', '\nExamples:\n  ckpt report sp-1/ --parallelism 6 --out sp-1.html\n  ckpt report s3://bucket/savepoints/sp-1 --job job.json')
    .action(async (p: string, opts: ReportOptions) => {
      result.code = await report(p, opts, ctx);
    });
}
