import type { Command } from 'commander';
import { localPath, rekeySavepoint, type RekeyResult } from '@ckpt/state';
import { isRemote } from '../io.js';
import type { Io } from '../program.js';

export interface RekeyCliOptions {
  maxParallelism: string;
  parallelism?: string;
  out: string;
  operator?: string[];
  compress?: boolean;
  json?: boolean;
}

function positiveInt(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 32768) throw new Error(`${flag} expects an integer in 1..32768, got ${v}`);
  return Number(v);
}

function local(what: string, p: string): string {
  if (isRemote(p)) throw new Error(`${what} ${p}: rekey works on local directories (copy it with ckpt relocate first)`);
  return localPath(p);
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
  const r = await rekeySavepoint(local('savepoint', input), {
    maxParallelism: positiveInt('--max-parallelism', opts.maxParallelism),
    ...(opts.parallelism !== undefined ? { parallelism: positiveInt('--parallelism', opts.parallelism) } : {}),
    ...(opts.operator ? { operators: opts.operator } : {}),
    ...(opts.compress !== undefined ? { compress: opts.compress } : {}),
    out: local('--out', opts.out),
  });
  out(opts.json ? JSON.stringify(r, null, 2) : summary(r));
  return 0;
}

export function registerRekey(program: Command, io: Io, result: { code: number }): void {
  program
    .command('rekey')
    .description('rewrite a canonical keyed savepoint for a new max parallelism (Flink cannot): every entry moved to its new key group, into a new directory')
    .argument('<savepoint>', 'canonical savepoint directory or its _metadata (local)')
    .requiredOption('--max-parallelism <n>', 'new max parallelism (number of key groups)')
    .requiredOption('--out <new-dir>', 'new savepoint directory (must not exist; never inside the input)')
    .option('--parallelism <p>', 'new parallelism of the re-keyed operators (default: unchanged)')
    .option('--operator <uid|id|name>', 'only these operators get the new max parallelism (repeatable; list whole chains)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--compress', 'Snappy-compress the new key groups')
    .option('--no-compress', 'write the new key groups uncompressed (default: as the original)')
    .option('--json', 'print the result as JSON')
    .addHelpText(
      'after',
      [
        '',
        'Keys must be of a type whose Java hashCode ckpt computes (String, boxed primitives, tuples and rows of them);',
        'other key serializers are refused with their class name. Restore the result with the same max parallelism',
        '(env.setMaxParallelism / pipeline.max-parallelism).',
        '',
        'Examples:',
        '  ckpt rekey sp-1/ --max-parallelism 256 --out sp-1-mp256/',
        '  ckpt rekey sp-1/ --max-parallelism 4096 --parallelism 12 --out sp-1-mp4096/',
        '  ckpt rekey sp-1/ --max-parallelism 64 --operator keyed --operator sink --out sp-1-mp64/ --json',
      ].join('\n'),
    )
    .action(async (p: string, opts: RekeyCliOptions) => {
      result.code = await rekey(p, opts, io.out);
    });
}
