import type { Command } from 'commander';
import { withProgress, type ProgressRunner, type ProgressStream } from './progress.js';

/** Where the CLI writes: results to `out` (stdout), messages to `err`, progress to `progress` (stderr). */
export interface Io {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Progress output (the CLI gives stderr). Bars only when it is a terminal (`isTTY`); without one, plain lines go to `err`. */
  progress?: ProgressStream;
}

/** What a command needs besides its arguments: output, `--quiet`, progress. */
export interface CommandContext {
  io: Io;
  readonly quiet: boolean;
  /** An informational line (stderr), dropped with `--quiet`. */
  info: (s: string) => void;
  progress: ProgressRunner;
}

/** The context of a program whose global options hold `--quiet` (read when a command runs). */
export function commandContext(program: Command, io: Io): CommandContext {
  const quiet = () => program.opts<{ quiet?: boolean }>().quiet === true;
  return {
    io,
    get quiet() {
      return quiet();
    },
    info: (s) => {
      if (!quiet()) io.err(s);
    },
    progress: (label, f) => withProgress(io.progress ?? { isTTY: false, write: (line) => io.err(line.replace(/\n$/, '')) }, quiet(), label, f),
  };
}
