import { assignStates } from '@ckpt/restore';
import { loadMetadata } from '../io.js';
import type { JobOptions } from '../register.js';
import { newJob } from './restore-job.js';

export interface CheckOptions extends JobOptions {
  json?: boolean;
}

/**
 * `ckpt check <pointer> --job job.json`: Flink's verdict on restoring the checkpoint into the job.
 * Returns 0 when Flink would restore it, 3 when Flink would refuse.
 */
export async function check(pointer: string, opts: CheckOptions, out: (s: string) => void): Promise<number> {
  const meta = await loadMetadata(pointer);
  const a = assignStates(meta, await newJob(meta, pointer, opts));
  if (opts.json) {
    out(JSON.stringify({ ok: a.ok, error: a.error ?? null, findings: a.findings, unrestoredOperatorIds: a.unrestoredOperatorIds }, null, 2));
  } else {
    out(a.ok ? 'OK: Flink would restore this checkpoint into the job.' : `REFUSED: ${a.error!.exceptionClass ?? 'error'}: ${a.error!.message}`);
    for (const f of a.findings) {
      if (f === a.error) continue;
      out(`  ${f.severity} ${f.code}${f.operatorId ? ` [${f.operatorId}]` : ''}: ${f.message}`);
    }
  }
  return a.ok ? 0 : 3;
}
