import { loadCheckpointState } from '@ckpt/state/node';
import { localPathOf, Storages } from '@ckpt/storage';
import { LATEST } from '@ckpt/upgrade';
import type { CommandContext } from '../context.js';
import { writeAtomically } from '../io.js';
import { renderReport } from '../report/html.js';
import { buildReport } from '../report/model.js';
import type { JobOptions } from '../register.js';
import { newJob } from './restore-job.js';
import { upgradeReport } from './upgrade-check.js';

export interface ReportOptions extends JobOptions {
  /** Where to write the HTML (default `report.html`). */
  out?: string;
  /** Flink release of the upgrade section (default: the newest 2.x ckpt knows). */
  upgradeTo?: string;
}

function describeTarget(o: JobOptions): string {
  if (o.job !== undefined) return `the job in ${o.job}`;
  const parts = [o.parallelism !== undefined ? `parallelism ${o.parallelism}` : 'the stored parallelism'];
  if (o.set?.length) parts.push(`with ${o.set.join(', ')}`);
  return parts.join(' ');
}

/** The report model, with the upgrade findings read from the state files' headers. */
async function load(pointer: string, opts: ReportOptions) {
  const storages = new Storages();
  try {
    const { resolved, metadata, resolver } = await loadCheckpointState(pointer, { storages });
    const model = buildReport(metadata, resolved, await newJob(metadata, pointer, opts), describeTarget(opts));
    model.upgrade = await upgradeReport(metadata, resolver, opts.upgradeTo ?? LATEST);
    return { model, resolved };
  } finally {
    await storages.close();
  }
}

/**
 * `ckpt report <checkpoint> --out report.html`: one self-contained HTML file with the checkpoint
 * summary, state size per operator and kind, the rescale plan and Flink's verdict. Returns 3 when
 * Flink would refuse the restore (the report is written all the same), like `plan` and `check`.
 */
export async function report(pointer: string, opts: ReportOptions, ctx: Pick<CommandContext, 'info'>): Promise<number> {
  const { model, resolved } = await load(pointer, opts);
  const out = opts.out ?? 'report.html';
  await writeAtomically(out, renderReport(model), [pointer, localPathOf(resolved.metadataUri) ?? pointer]);
  ctx.info(`wrote ${out} (checkpoint ${model.summary.checkpointId}, ${model.summary.operators.length} operators, ${model.verdict.ok ? 'restorable' : 'Flink would refuse the restore'})`);
  return model.verdict.ok ? 0 : 3;
}
