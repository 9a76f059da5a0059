import { CkptError, operatorIdFromUid } from '@ckpt/format';
import { Command, CommanderError } from 'commander';
import { convert } from './commands/convert.js';
import { inspect } from './commands/inspect.js';

export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
}

const defaultIo: Io = {
  out: (s) => process.stdout.write(s + '\n'),
  err: (s) => process.stderr.write(s + '\n'),
};

export function buildProgram(io: Io = defaultIo): Command {
  const program = new Command('ckpt')
    .description('Inspect, verify and convert Apache Flink checkpoints and savepoints')
    .version('0.1.0')
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });

  program
    .command('inspect')
    .description('show what a checkpoint or savepoint holds, per operator')
    .argument('<file-or-dir>', 'a _metadata file or the checkpoint/savepoint directory holding it')
    .option('--json', 'print the summary as JSON')
    .action((target: string, opts: { json?: boolean }) => inspect(target, opts, io.out));

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
    .action((input: string, output: string, opts: { to?: string }) => convert(input, output, opts, io.err));

  program
    .command('hash-uid')
    .description("print the operator id Flink derives from a uid (.uid(\"...\"))")
    .argument('<uid...>', 'one or more uids')
    .option('--json', 'print {uid: operatorId} as JSON')
    .addHelpText('after', '\nExample:\n  ckpt hash-uid value-process-uid   # ca4f5fe9a637b656f09ea78b3e7a15b9')
    .action((uids: string[], opts: { json?: boolean }) => {
      const ids = uids.map((u) => [u, operatorIdFromUid(u)] as const);
      io.out(opts.json ? JSON.stringify(Object.fromEntries(ids), null, 2) : ids.map(([u, id]) => `${id}  ${u}`).join('\n'));
    });

  return program;
}

/** Runs the CLI; returns the process exit code (0 ok, 1 usage or I/O error, 2 bad input). */
export async function run(argv: string[], io: Io = defaultIo): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 1;
    if (e instanceof CkptError) {
      io.err(`ckpt: ${e.message}`);
      return 2;
    }
    io.err(`ckpt: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}
