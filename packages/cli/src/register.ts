import { InvalidArgumentError, type Command } from 'commander';
import type { CommandContext, Io } from './context.js';
import type { HaOptions } from './commands/ha.js';
import { registerHaWrite } from './register-ha-write.js';
import type { RekeyCliOptions } from './commands/rekey.js';
import type { ReportOptions } from './commands/report.js';
import type { SstPropsOptions, SstScanOptions, SstVerifyOptions } from './commands/sst.js';

/*
 * Options and help of the commands with many options. A command's implementation (and the packages
 * it needs: @ckpt/ha, @ckpt/state, @ckpt/restore …) is imported when the command runs, so every
 * `ckpt` invocation loads only what its command uses.
 */

export interface JobOptions {
  /** A job description file: ckpt JSON, Flink's REST job plan JSON, or `uid=parallelism` lines. */
  job?: string;
  /** New parallelism for every operator (when no job file is given). */
  parallelism?: string;
  /** `uid=parallelism` (or `id=parallelism`) overrides. */
  set?: string[];
  allowNonRestoredState?: boolean;
}

/** The options that describe the new job (`plan`, `check`, `report`). */
export function jobOptions(c: Command): Command {
  return c
    .option('--job <file>', 'new job: ckpt job JSON (schemas/job-description.schema.json), Flink REST plan JSON, or uid=parallelism lines')
    .option('-p, --parallelism <n>', 'new parallelism of every stored operator (without --job)')
    .option('--set <uid=p...>', 'parallelism of single operators by uid, name or id (without --job)')
    .option('-n, --allow-non-restored-state', 'like flink run -n');
}

/**
 * `--latest` for a command whose first argument is a checkpoint: the argument may then be a
 * checkpoint directory (a job's, or state.checkpoints.dir), and its newest complete `chk-<n>` is
 * used in its place before the command runs.
 */
export function latestOption(c: Command, ctx: Pick<CommandContext, 'info'>): Command {
  return c
    .option('--latest', 'the argument is a checkpoint directory: use its newest complete chk-<n> (the one `ckpt latest` names)')
    .hook('preAction', async (_program, action) => {
      if (action.opts<{ latest?: boolean }>().latest !== true) return;
      action.processedArgs[0] = await (await import('./io.js')).latestIn(String(action.processedArgs[0]), ctx.info);
    });
}

export function registerRekey(program: Command, io: Io, result: { code: number }): void {
  program
    .command('rekey')
    .description('rewrite keyed state (canonical savepoint, RocksDB/ForSt native savepoint or checkpoint) as a canonical savepoint for a new max parallelism (Flink cannot): every entry moved to its new key group, into a new directory')
    .argument('<savepoint>', 'savepoint or retained checkpoint: directory, _metadata or any storage URI')
    .option('--max-parallelism <n>', 'new max parallelism (number of key groups; default: unchanged, a plain conversion to a canonical savepoint)')
    .requiredOption('--out <new-dir>', 'new savepoint directory (must not exist; never inside the input)')
    .option('--parallelism <p>', 'new parallelism of the re-keyed operators (default: unchanged)')
    .option('--operator <uid|id|name>', 'only these operators get the new max parallelism (repeatable; list whole chains)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--compress', 'Snappy-compress the new key groups')
    .option('--no-compress', 'write the new key groups uncompressed (default: as the original)')
    .option('--shard <i/n>', 'convert only slice i of n (0-based: the new subtasks / key groups it owns) into --out, a shard directory')
    .option('--assemble <shard-dir...>', 'the last step after --shard runs: check the n shard directories, write the savepoint into --out')
    .option('--key-type <type>', 'key type (String, Long, …) of changelog state without a materialized part')
    .option('--memory <MiB>', 'with a new max parallelism: memory for moved entries before they are sorted on disk (default 256)')
    .option('--tmp-dir <dir>', 'with a new max parallelism: where entries beyond --memory are sorted (default the OS temp directory)')
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
        '  ckpt rekey chk-7/ --out sp-7-canonical/   # RocksDB native state to a canonical savepoint, max parallelism unchanged',
        '  ckpt rekey sp-1/ --max-parallelism 4096 --parallelism 12 --out sp-1-mp4096/',
        '  ckpt rekey sp-1/ --max-parallelism 64 --operator keyed --operator sink --out sp-1-mp64/ --json',
        '  ckpt rekey chk-7/ --max-parallelism 256 --shard 0/4 --out parts/0   # …one run per shard, then:',
        '  ckpt rekey chk-7/ --max-parallelism 256 --out sp-mp256/ --assemble parts/0 parts/1 parts/2 parts/3',
      ].join('\n'),
    )
    .action(async (p: string, opts: RekeyCliOptions) => {
      result.code = await (await import('./commands/rekey.js')).rekey(p, opts, io.out);
    });
}

export function registerReport(program: Command, ctx: CommandContext, result: { code: number }): void {
  latestOption(
    jobOptions(
      program
        .command('report')
        .description('write one self-contained HTML report: summary, state per operator and kind, rescale plan, Flink\'s verdict (exit 3 when Flink would refuse)')
        .argument('<checkpoint>', 'checkpoint/savepoint directory, _metadata, or any storage URI')
        .option('-o, --out <file>', 'the HTML file to write (default report.html; never over the input)')
        .option('--upgrade-to <version>', 'Flink release of the report\'s upgrade section (default: the newest 2.x; see upgrade-check)'),
    ),
    ctx,
  )
    .addHelpText('after', '\nExamples:\n  ckpt report sp-1/ --parallelism 6 --out sp-1.html\n  ckpt report s3://bucket/savepoints/sp-1 --job job.json')
    .action(async (p: string, opts: ReportOptions) => {
      result.code = await (await import('./commands/report.js')).report(p, opts, ctx);
    });
}

/** Registers `ckpt ha list|latest|verify`. */
export function registerHa(program: Command, io: Io, result: { code: number }): void {
  const ha = program
    .command('ha')
    .description("Flink's HA completed-checkpoint store (ZooKeeper or Kubernetes ConfigMap): list, latest, verify");
  const common = (c: Command): Command =>
    c
      .option('--zookeeper <host:port>', 'ZooKeeper connect string (high-availability.zookeeper.quorum)')
      .option('--root <path>', 'high-availability.zookeeper.path.root (default /flink)')
      .option('--cluster-id <id>', 'high-availability.cluster-id (default /default)')
      .option('--job <job-id>', 'job id (optional when the store holds one job)')
      .option('--configmap <file>', 'Kubernetes HA: `kubectl get configmap -o json|yaml` export instead of ZooKeeper')
      .option('--timeout <ms>', 'ZooKeeper connection timeout in ms (default 15000)')
      .option('--json', 'print JSON');
  const examples =
    '\nExamples:\n  ckpt ha latest --zookeeper zk:2181 --cluster-id my-cluster --job 3f1e…\n  kubectl get configmap my-cluster-3f1e…-config-map -o json > cm.json && ckpt ha verify --configmap cm.json';
  common(ha.command('list').description('every checkpoint in the store, which one a failover restores, and the counter'))
    .addHelpText('after', examples)
    .action(async (opts: HaOptions) => {
      result.code = await (await import('./commands/ha.js')).haList(opts, io.out);
    });
  common(ha.command('latest').description('the checkpoint Flink restores after a failover (exit 5 when none)'))
    .addHelpText('after', examples)
    .action(async (opts: HaOptions) => {
      result.code = await (await import('./commands/ha.js')).haLatest(opts, io.out);
    });
  common(ha.command('verify').description('check that every file behind the store exists (exit 4 when not)'))
    .addHelpText('after', examples)
    .action(async (opts: HaOptions) => {
      result.code = await (await import('./commands/ha.js')).haVerify(opts, io.out);
    });
  registerHaWrite(ha, common, io, result);
}

function entryCount(v: string): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0) throw new InvalidArgumentError('a whole number of entries (0 or more)');
  return n;
}

/** `ckpt sst props|scan|verify`: RocksDB / ForSt SST files, local or any storage URI. */
export function registerSst(program: Command, io: Io, result: { code: number }): void {
  const sst = program
    .command('sst')
    .description('RocksDB / ForSt SST files (local or any storage URI): table properties, internal entries, block checksums');
  const examples =
    '\nExamples:\n  ckpt sst props chk-7/shared/000042.sst\n  ckpt sst scan s3://bucket/chk-7/shared/000042.sst --json | head\n  ckpt sst verify chk-7/shared/*.sst';
  sst
    .command('props')
    .description('footer facts (format_version, checksum, index type) and the table properties')
    .argument('<file>', 'an SST file or its URI')
    .option('--json', 'print JSON')
    .addHelpText('after', examples)
    .action(async (file: string, opts: SstPropsOptions) => {
      result.code = await (await import('./commands/sst.js')).sstProps(file, opts, io.out);
    });
  sst
    .command('scan')
    .description('every internal entry in file order (user key, sequence number, type, value); range tombstones last')
    .argument('<file>', 'an SST file or its URI')
    .option('--json', 'one JSON line per entry: {"key":hex,"seq":"n","type":"put|delete|singleDelete|merge|rangeDelete","value":hex}')
    .option('--limit <n>', 'stop after n entries', entryCount)
    .addHelpText('after', examples)
    .action(async (file: string, opts: SstScanOptions) => {
      result.code = await (await import('./commands/sst.js')).sstScan(file, opts, io.out);
    });
  sst
    .command('verify')
    .description('read every block of each file and check its checksum and the entry counts (exit 4 when any is broken)')
    .argument('<file...>', 'SST files or their URIs')
    .option('--json', 'print JSON')
    .addHelpText('after', examples)
    .action(async (files: string[], opts: SstVerifyOptions) => {
      result.code = await (await import('./commands/sst.js')).sstVerify(files, opts, io.out);
    });
}
