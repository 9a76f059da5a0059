import type { Command } from 'commander';
import type { CommandContext } from './context.js';
import { latestOption } from './register.js';

/** Registers `ckpt upgrade-check <checkpoint> --to <version>`. */
export function registerUpgradeCheck(program: Command, ctx: CommandContext, result: { code: number }): void {
  latestOption(
    program
      .command('upgrade-check')
      .description('would Flink <version> restore this snapshot? writer release, then every finding for the target (exit 3 when it would refuse, fail or lose state)')
      .argument('<checkpoint>', 'checkpoint/savepoint directory, _metadata, or any storage URI')
      .requiredOption('--to <version>', 'target Flink release: 1.15 … 2.3, or 2.x / latest (the newest 2.x ckpt knows)')
      .option('--json', 'print the findings as JSON')
      .option('--ttl-toggle [states]', 'the new job turns TTL off for states that have it and on for those without: all keyed states, or these (comma-separated)')
      .option('--backend <name>', 'state backend of the new job: hashmap, rocksdb or forst (default: rocksdb for native RocksDB state, else not known)'),
    ctx,
  )
    .addHelpText('after', '\nExamples:\n  ckpt upgrade-check sp-1/ --to 2.3\n  ckpt upgrade-check s3://bucket/savepoints/sp-1 --to 2.x --json\n  ckpt upgrade-check /checkpoints/job-1 --latest --to 2.0\n  ckpt upgrade-check sp-1/ --to 2.1 --ttl-toggle --backend rocksdb')
    .action(async (p: string, opts: { to: string; json?: boolean; ttlToggle?: boolean | string; backend?: string }) => {
      result.code = await (await import('./commands/upgrade-check.js')).upgradeCheckCommand(p, opts, ctx.io.out);
    });
}
