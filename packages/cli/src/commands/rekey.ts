import { UsageError } from '@ckpt/format';
import { parseShard } from '@ckpt/state';
import { keyTypeOption } from './key-type.js';
import { assembleRekey, rekeySavepoint, type RekeyOptions, type RekeyResult, type SpillOptions } from '@ckpt/state/node';

export interface RekeyCliOptions {
  maxParallelism?: string;
  parallelism?: string;
  out: string;
  operator?: string[];
  compress?: boolean;
  shard?: string;
  keyType?: string;
  assemble?: string[];
  json?: boolean;
  memory?: string;
  tmpDir?: string;
}

function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 32768) throw new UsageError('BadArgument', `${flag} expects an integer in 1..32768, got ${v}`);
  return Number(v);
}

function summary(r: RekeyResult): string {
  const lines = [
    r.shard
      ? `wrote shard ${r.shard.index}/${r.shard.count} into ${r.out} (assemble the ${r.shard.count} shards with --assemble)`
      : `wrote ${r.out} (${r.relocatable ? 'relocatable: relative paths' : 'absolute paths'})`,
  ];
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

function spillOptions(opts: RekeyCliOptions): SpillOptions {
  const out: SpillOptions = {};
  if (opts.memory !== undefined) {
    if (!/^\d+$/.test(opts.memory) || Number(opts.memory) < 1) throw new UsageError('BadArgument', `--memory expects a number of MiB (at least 1), got ${opts.memory}`);
    out.memoryBytes = Number(opts.memory) * 1024 * 1024;
  }
  if (opts.tmpDir !== undefined) out.tmpDir = opts.tmpDir;
  return out;
}

/** `ckpt rekey <savepoint> --max-parallelism N --out <dir> [--shard i/n | --assemble <dirs…>]`: see {@link rekeySavepoint}. */
export async function rekey(input: string, opts: RekeyCliOptions, out: (s: string) => void): Promise<number> {
  if (opts.shard !== undefined && opts.assemble !== undefined) throw new UsageError('BadArgument', '--shard and --assemble are separate steps; give one of them');
  const options: RekeyOptions = {
    ...(opts.maxParallelism !== undefined ? { maxParallelism: positiveInt('--max-parallelism', opts.maxParallelism) } : {}),
    ...(opts.parallelism !== undefined ? { parallelism: positiveInt('--parallelism', opts.parallelism) } : {}),
    ...(opts.operator ? { operators: opts.operator } : {}),
    ...(opts.compress !== undefined ? { compress: opts.compress } : {}),
    ...(opts.shard !== undefined ? { shard: parseShard(opts.shard) } : {}),
    ...(opts.keyType !== undefined ? { keySerializer: keyTypeOption(opts.keyType) } : {}),
    ...(opts.memory !== undefined || opts.tmpDir !== undefined ? { spill: spillOptions(opts) } : {}),
    out: opts.out,
  };
  const r = opts.assemble ? await assembleRekey(input, opts.assemble, options) : await rekeySavepoint(input, options);
  out(opts.json ? JSON.stringify(r, null, 2) : summary(r));
  return 0;
}
