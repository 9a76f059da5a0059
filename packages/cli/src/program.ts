import { setFlagsFromString } from 'node:v8';
import { Command, CommanderError } from 'commander';
import { commandContext, type Io } from './context.js';
import { jobOptions, latestOption, registerHa, registerRekey, registerReport, registerSst } from './register.js';
import { registerUpgradeCheck } from './register-upgrade.js';

export type { Io } from './context.js';

const defaultIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
  progress: process.stderr,
};

/**
 * For `ckpt inspect --stream` in the CLI's own process: V8 doubles its young generation each time
 * enough objects have survived collections since the last growth, up to 3 × 16 MiB. A stream of
 * gigabytes of short-lived records gets there, and the process then holds ~40 MiB more than the
 * summary needs. A growth factor of 1 keeps the young generation at the size it has (V8 reads the
 * flag each time it would grow). Not done when `run` is called as a library: it is process-wide.
 */
function keepYoungGenerationSize(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}

/**
 * Lines passed on to `out` ~64 KiB at a time (joined by newlines: the same bytes), for commands
 * printing millions of lines to the process's stdout — one write per line costs more than the line.
 */
function linesInChunks(out: (s: string) => void): { out: (s: string) => void; flush: () => void } {
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (pending.length > 0) out(pending.join('\n'));
    pending = [];
    size = 0;
  };
  return {
    out: (s) => {
      pending.push(s);
      size += s.length;
      if (size >= 65536) flush();
    },
    flush,
  };
}

export function buildProgram(io: Io = defaultIo, result: { code: number } = { code: 0 }): Command {
  const program = new Command('ckpt')
    .description('Inspect, verify and convert Apache Flink checkpoints and savepoints')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) })
    .option('-q, --quiet', 'no progress and no informational messages on stderr (results and errors only)');
  const ctx = commandContext(program, io);

  latestOption(
    program
      .command('inspect')
      .description('show what a checkpoint or savepoint holds, per operator')
      .argument('<file-or-dir>', 'a _metadata file or the checkpoint/savepoint directory holding it')
      .option('--json', 'print the summary as JSON')
      .option('--stream', 'summarize while streaming the file once, without decoding it whole (bounded memory for huge files)'),
    ctx,
  ).action(async (target: string, opts: { json?: boolean; stream?: boolean }) => {
    if (opts.stream && io === defaultIo) keepYoungGenerationSize();
    await (await import('./commands/inspect.js')).inspect(target, opts, io.out);
  });

  program
    .command('convert')
    .description('convert between binary _metadata, JSON, msgpack and protobuf (byte-exact)')
    .argument('<in>', 'input: a _metadata file, a directory holding one, or a .json/.msgpack/.pb file')
    .argument('<out>', 'output file; its extension picks the format unless --to is given')
    .option('--to <format>', 'binary | json | msgpack | protobuf')
    .addHelpText(
      'after',
      '\nExamples:\n  ckpt convert sp-1/ sp-1.json\n  ckpt convert sp-1.json _metadata\n  ckpt convert sp-1/_metadata out.bin --to protobuf',
    )
    .action(async (input: string, output: string, opts: { to?: string }) => (await import('./commands/convert.js')).convert(input, output, opts, ctx.info));

  latestOption(
    jobOptions(
      program
        .command('plan')
        .description('per new subtask: key groups, handles, files and bytes it reads on restore; skew and advice')
        .argument('<checkpoint>', 'checkpoint/savepoint directory or _metadata')
        .option('--json', 'print the plan as JSON'),
    ),
    ctx,
  )
    .addHelpText('after', '\nExamples:\n  ckpt plan sp-1/ --parallelism 6\n  ckpt plan sp-1/ --set keyed=8 --set sink=2 --json')
    .action(async (p: string, opts) => {
      result.code = await (await import('./commands/plan.js')).plan(p, opts, io.out);
    });

  latestOption(
    jobOptions(
      program
        .command('check')
        .description("Flink's verdict on restoring a checkpoint into a new job (exit 3 when Flink would refuse)")
        .argument('<checkpoint>', 'checkpoint/savepoint directory or _metadata')
        .option('--json', 'print the verdict as JSON'),
    ),
    ctx,
  )
    .addHelpText('after', '\nExamples:\n  ckpt check sp-1/ --job job.json\n  ckpt check sp-1/ --parallelism 300   # above max parallelism: refused')
    .action(async (p: string, opts) => {
      result.code = await (await import('./commands/check.js')).check(p, opts, io.out);
    });

  latestOption(
    program
      .command('dump-state')
      .description("print an operator's state entries as JSON lines (keyed: key, namespace, value; operator: list elements, broadcast entries)")
      .argument('<checkpoint>', 'checkpoint/savepoint directory or _metadata (heap, canonical, RocksDB / ForSt native or incremental, changelog)')
      .requiredOption('--operator <uid|id|name>', 'the operator')
      .option('--key-groups <a-b>', 'only these key groups (ranged reads)')
      .option('--summary', 'per state: kind, serializers, entry count and bytes instead of the entries')
      .option('--key-type <type>', 'key type (String, Long, Int, …) for a changelog checkpoint without materialized state'),
    ctx,
  )
    .addHelpText('after', '\nExamples:\n  ckpt dump-state sp-1/ --operator keyed\n  ckpt dump-state sp-1/ --operator keyed --key-groups 0-9\n  ckpt dump-state sp-1/ --operator keyed --summary')
    .action(async (p: string, opts: { operator: string; keyGroups?: string; summary?: boolean; keyType?: string }) => {
      // (not keepYoungGenerationSize: with millions of JSON lines a young generation kept small doubles the GC time)
      const lines = io === defaultIo ? linesInChunks(io.out) : undefined;
      try {
        result.code = await (await import('./commands/dump-state.js')).dumpState(p, opts, lines?.out ?? io.out, ctx.info);
      } finally {
        lines?.flush();
      }
    });

  registerRekey(program, io, result);
  registerUpgradeCheck(program, ctx, result);

  latestOption(
    program
      .command('verify')
      .description('check that every file a checkpoint references exists and is long enough; --deep reads their contents (exit 4 when broken)')
      .argument('<checkpoint>', 'checkpoint/savepoint directory, _metadata, or any storage URI (s3://, hdfs://, gs://, abfs://, http://)')
      .option('--digests', 'stream every file once and compute SHA-256 (compared with ckpt-manifest.json when present)')
      .option('--write-manifest', 'write ckpt-manifest.json (size and SHA-256 of every file) next to _metadata')
      .option('--deep', 'also read every state file: SST block checksums, MANIFEST records and live SSTs, state headers, key-group offsets')
      .option('--jobs <n>', 'with --deep: files read at the same time (default 4)')
      .option('--json', 'print the report as JSON'),
    ctx,
  )
    .addHelpText(
      'after',
      '\nExamples:\n  ckpt verify s3://bucket/savepoints/savepoint-0a1b2c-3d4e5f6a7b8c\n  ckpt verify sp-1/ --write-manifest   # later: ckpt verify sp-1/ --digests\n  ckpt verify hdfs://nn/flink/chk-42 --deep --jobs 8',
    )
    .action(async (p: string, opts: { digests?: boolean; writeManifest?: boolean; deep?: boolean; jobs?: string; json?: boolean }) => {
      result.code = await (await import('./commands/verify.js')).verify(p, opts, io.out, ctx.progress);
    });

  program
    .command('latest')
    .description('the newest complete retained checkpoint under a checkpoint directory (exit 5 when none)')
    .argument('<checkpoint-dir>', 'state.checkpoints.dir (or its job-id subdirectory), any storage URI')
    .option('--all', 'list every checkpoint and savepoint found')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExample:\n  ckpt latest hdfs://nn:8020/flink/checkpoints/')
    .action(async (d: string, opts: { all?: boolean; json?: boolean }) => {
      result.code = await (await import('./commands/latest.js')).latest(d, opts, io.out);
    });

  const collect = (v: string, prev: string[] = []) => [...prev, v];

  program
    .command('relocate')
    .description('copy a savepoint/checkpoint to another place (any storage), rewrite _metadata for it, and verify the copy')
    .argument('<checkpoint>', 'source directory or _metadata (any storage URI)')
    .argument('<target-dir>', 'new directory (must not hold a _metadata yet)')
    .option('--prefix <OLD=NEW>', 'also rewrite absolute paths starting with OLD (repeatable)', collect)
    .option('--no-copy', 'only write the new _metadata (the files were copied by other means)')
    .option('--json', 'print the result as JSON')
    .addHelpText('after', '\nExamples:\n  ckpt relocate /data/sp-1 s3://bucket/savepoints/sp-1\n  ckpt relocate hdfs://nn/sp-1 /mnt/sp-1 --prefix hdfs://nn/shared=file:/mnt/shared')
    .action(async (src: string, dst: string, opts: { prefix?: string[]; copy?: boolean; json?: boolean }) => {
      result.code = await (await import('./commands/relocate.js')).relocate(src, dst, opts, io.out, ctx.progress);
    });

  program
    .command('modify')
    .description('write an edited _metadata into a new directory: drop operator state, re-map it to another uid/id, set uid/name (V5+)')
    .argument('<checkpoint>', 'source directory or _metadata (any storage URI)')
    .argument('<out-dir>', 'directory for the new _metadata (state files are referenced where they are)')
    .option('--drop <op>', 'drop the state of an operator (uid, name or id; repeatable)', collect)
    .option('--remap <from=to>', 'give the state of <from> to the operator with uid or id <to> (repeatable)', collect)
    .option('--set-uid <op=uid>', 'store a uid for an operator (V5+; repeatable)', collect)
    .option('--set-name <op=name>', 'store a name for an operator (V5+; repeatable)', collect)
    .option('--json', 'print the changes as JSON')
    .addHelpText('after', '\nExamples:\n  ckpt modify sp-1/ sp-2/ --drop old-window\n  ckpt modify sp-1/ sp-2/ --remap 6d2677a0ecc3fd8df0b72ec675edf8f4=keyed-v2')
    .action(async (src: string, dst: string, opts: { drop?: string[]; remap?: string[]; setUid?: string[]; setName?: string[]; json?: boolean }) => {
      result.code = await (await import('./commands/modify.js')).modify(src, dst, opts, io.out);
    });

  program
    .command('diff')
    .description('compare two checkpoints: operators added/removed/changed, files only in one or shared (exit 6 when they differ)')
    .argument('<a>', 'checkpoint/savepoint (any storage URI)')
    .argument('<b>', 'checkpoint/savepoint (any storage URI)')
    .option('--json', 'print the comparison as JSON')
    .addHelpText('after', '\nExample:\n  ckpt diff s3://b/chk/job/chk-41 s3://b/chk/job/chk-42   # shared incremental files')
    .action(async (a: string, b: string, opts: { json?: boolean }) => {
      result.code = await (await import('./commands/diff.js')).diff(a, b, opts, io.out);
    });

  program
    .command('gc')
    .description('files under a checkpoint directory that no retained checkpoint or savepoint references (dry run unless --delete)')
    .argument('<checkpoint-dir>', 'state.checkpoints.dir or a job directory in it (any storage URI)')
    .option('--delete', 'delete the unreferenced files (re-checked just before)')
    .option('--older-than <age>', 'only files modified longer ago than this (e.g. 7d, 12h)')
    .option('--json', 'print the plan as JSON')
    .addHelpText('after', '\nExamples:\n  ckpt gc s3://bucket/checkpoints/3f1e…/\n  ckpt gc /data/checkpoints/3f1e… --older-than 2d --delete')
    .action(async (d: string, opts: { delete?: boolean; olderThan?: string; json?: boolean }) => {
      result.code = await (await import('./commands/gc.js')).gc(d, opts, io.out, ctx.progress);
    });

  program
    .command('hash-uid')
    .description("print the operator id Flink derives from a uid (.uid(\"...\"))")
    .argument('<uid...>', 'one or more uids')
    .option('--json', 'print {uid: operatorId} as JSON')
    .addHelpText('after', '\nExample:\n  ckpt hash-uid value-process-uid   # ca4f5fe9a637b656f09ea78b3e7a15b9')
    .action(async (uids: string[], opts: { json?: boolean }) => {
      const { operatorIdFromUid } = await import('@ckpt/format');
      const ids = uids.map((u) => [u, operatorIdFromUid(u)] as const);
      io.out(opts.json ? JSON.stringify(Object.fromEntries(ids), null, 2) : ids.map(([u, id]) => `${id}  ${u}`).join('\n'));
    });

  registerReport(program, ctx, result);

  registerHa(program, io, result);
  registerSst(program, io, result);
  return program;
}

/**
 * Runs the CLI; returns the process exit code: 0 ok, 1 usage or I/O error (missing local file,
 * unreachable storage), 2 bad input (not a checkpoint, invalid job),
 * 3 Flink would refuse the restore (`check`, `plan`), 4 files missing, changed or corrupt (`verify`),
 * 5 no checkpoint found (`latest`), 6 the checkpoints differ (`diff`).
 */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  const result = { code: 0 };
  try {
    await buildProgram(io, result).parseAsync(argv, { from: 'user' });
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    io.err(`ckpt: ${e instanceof Error ? e.message : String(e)}`);
    const { exitCodeFor, hintFor } = await import('./hints.js');
    const hint = hintFor(e);
    if (hint !== undefined) io.err(`  hint: ${hint}`);
    return exitCodeFor(e);
  }
}
