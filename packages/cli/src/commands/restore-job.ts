import { readFile } from 'node:fs/promises';
import { requireOperator, UsageError, type CheckpointMetadata, type OperatorState } from '@ckpt/format';
import type { JobOptions } from '../register.js';
import { jobFromCheckpoint, normalizeJob, parseJobInput, type JobDescription, type JobGraph } from '@ckpt/restore';

/**
 * The new job to restore into: from `--job`, or else the stored operators unchanged (one vertex
 * each, max parallelism adopted from the state) with `--parallelism` and `--set` applied (`--set`
 * finds its operator by the one operator lookup; an unknown one is a usage error).
 */
export async function newJob(meta: CheckpointMetadata, pointer: string, o: JobOptions): Promise<JobGraph> {
  let desc: JobDescription;
  const options = {
    checkpointPointer: pointer,
    ...(o.allowNonRestoredState ? { allowNonRestoredState: true } : {}),
  };
  if (o.job !== undefined) {
    desc = parseJobInput(await readFile(o.job, 'utf8'), options);
  } else {
    const p = o.parallelism === undefined ? undefined : Number(o.parallelism);
    if (p !== undefined && (!Number.isInteger(p) || p < 1)) throw new UsageError('BadArgument', `--parallelism must be a positive integer, got ${o.parallelism}`);
    const overrides = new Map<OperatorState, number>();
    for (const item of o.set ?? []) {
      const m = /^(.+)=(\d+)$/.exec(item);
      if (!m) throw new UsageError('BadArgument', `--set expects uid=parallelism, got ${item}`);
      overrides.set(requireOperator(meta.operators, m[1]!, pointer), Number(m[2]));
    }
    desc = jobFromCheckpoint(meta.operators, (op) => overrides.get(op) ?? p, options);
  }
  return normalizeJob(desc);
}
