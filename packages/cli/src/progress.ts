import { createRequire } from 'node:module';
import type { SingleBar } from 'cli-progress';
import type { ProgressEvent, ProgressListener } from '@ckpt/storage';

/** Where progress goes: stderr, or any stream-like object (tests inject one with `isTTY`). */
export interface ProgressStream {
  isTTY?: boolean;
  columns?: number;
  write(s: string): unknown;
}

/** One long operation's progress: feed it storage progress events, then `end()` it. */
export interface ProgressTask {
  update: ProgressListener;
  end(): void;
}

export type ProgressMode = 'bar' | 'lines' | 'none';

/** Bars on a terminal, plain lines on a pipe or file, nothing when quiet. */
export function progressMode(stream: ProgressStream, quiet: boolean): ProgressMode {
  if (quiet) return 'none';
  return stream.isTTY === true ? 'bar' : 'lines';
}

const NONE: ProgressTask = { update: () => {}, end: () => {} };

function bytesSuffix(bytes: number): string {
  return bytes > 0 ? `, ${bytes} bytes` : '';
}

/**
 * Plain lines for a non-terminal: at most one line per tenth of the total (and the last step),
 * so a log of a 100 000-file verify stays short.
 */
function lineTask(stream: ProgressStream, label: string): ProgressTask {
  let printed = -1;
  let bytes = 0;
  let last: ProgressEvent | undefined;
  const print = (e: ProgressEvent) => stream.write(`${label}: ${e.done}${e.total !== undefined ? `/${e.total}` : ''} ${e.unit}${bytesSuffix(bytes)}\n`);
  return {
    update(e) {
      bytes += e.bytes ?? 0;
      last = e;
      const step = e.total ? Math.floor((e.done * 10) / e.total) : e.done;
      if (step !== printed || e.done === e.total) {
        printed = step;
        print(e);
      }
    },
    end() {
      if (last && last.done !== last.total && last.total !== undefined) print(last);
    },
  };
}

/** cli-progress (CommonJS) is required when a bar is first drawn, not imported by every command. */
const loadBars = (): typeof import('cli-progress') => createRequire(import.meta.url)('cli-progress') as typeof import('cli-progress');

function barTask(stream: ProgressStream, label: string): ProgressTask {
  let bar: SingleBar | undefined;
  let bytes = 0;
  return {
    update(e) {
      bytes += e.bytes ?? 0;
      const payload = { unit: e.unit, bytes: bytes > 0 ? ` ${bytes} bytes` : '' };
      if (bar === undefined) {
        bar = new (loadBars().SingleBar)({
          stream: stream as NodeJS.WritableStream,
          format: `${label} [{bar}] {value}/{total} {unit}{bytes}`,
          barsize: 30,
          hideCursor: false,
          clearOnComplete: false,
          etaBuffer: 1,
        });
        bar.start(e.total ?? e.done, 0, payload);
      }
      if (e.total !== undefined) bar.setTotal(e.total);
      bar.update(e.done, payload);
    },
    end() {
      bar?.stop();
    },
  };
}

/** A progress task for one operation, in the mode the stream and `--quiet` call for. */
export function startProgress(stream: ProgressStream, quiet: boolean, label: string): ProgressTask {
  switch (progressMode(stream, quiet)) {
    case 'bar':
      return barTask(stream, label);
    case 'lines':
      return lineTask(stream, label);
    default:
      return NONE;
  }
}

/** Runs `f` with a progress listener and always ends the task (also when `f` throws). */
export async function withProgress<T>(
  stream: ProgressStream,
  quiet: boolean,
  label: string,
  f: (onProgress: ProgressListener) => Promise<T>,
): Promise<T> {
  const task = startProgress(stream, quiet, label);
  try {
    return await f(task.update);
  } finally {
    task.end();
  }
}

/** Runs a long operation with progress reporting (see {@link withProgress}); commands receive one. */
export type ProgressRunner = <T>(label: string, f: (onProgress: ProgressListener) => Promise<T>) => Promise<T>;

/** The runner for library callers and tests that want no progress output. */
export const noProgress: ProgressRunner = (_label, f) => f(() => {});
