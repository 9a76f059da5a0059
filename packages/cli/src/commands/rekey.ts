import { UsageError } from '@ckpt/format';
import { rekeySavepoint, type RekeyResult } from '@ckpt/state/node';

export interface RekeyCliOptions {
  maxParallelism: string;
  parallelism?: string;
  out: string;
  operator?: string[];
  compress?: boolean;
  json?: boolean;
}

function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 32768) throw new UsageError('BadArgument', `${flag} expects an integer in 1..32768, got ${v}`);
  return Number(v);
}

function summary(r: RekeyResult): string {
  const lines = [`wrote ${r.out} (${r.relocatable ? 'relocatable: relative paths' : 'absolute paths'})`];
  for (const o of r.operators) {
    const who = o.uid ?? o.operatorId;
    lines.push(
      o.rekeyed
        ? `  ${who}: ${o.entries} entries moved into ${o.keyGroupsWithData} of ${o.newMaxParallelism} key groups (max parallelism ${o.oldMaxParallelism} → ${o.newMaxParallelism}, parallelism ${o.oldParallelism} → ${o.newParallelism}, ${o.files.length} new files)`
        : `  ${who}: no keyed state; max parallelism ${o.oldMaxParallelism} → ${o.newMaxParallelism}`,
    );
  }
  if (r.copied.length) lines.push(`  copied ${r.copied.length} unchanged state file(s)`);
  return lines.join('\n');
}

/** `ckpt rekey <savepoint> --max-parallelism N --out <dir>`: see {@link rekeySavepoint}. */
export async function rekey(input: string, opts: RekeyCliOptions, out: (s: string) => void): Promise<number> {
  const r = await rekeySavepoint(input, {
    maxParallelism: positiveInt('--max-parallelism', opts.maxParallelism),
    ...(opts.parallelism !== undefined ? { parallelism: positiveInt('--parallelism', opts.parallelism) } : {}),
    ...(opts.operator ? { operators: opts.operator } : {}),
    ...(opts.compress !== undefined ? { compress: opts.compress } : {}),
    out: opts.out,
  });
  out(opts.json ? JSON.stringify(r, null, 2) : summary(r));
  return 0;
}
