import { run, type Io } from '../../src/index.js';

/** Runs `ckpt` in-process and returns its exit code and what it wrote to stdout and stderr. */
export async function ckpt(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (s) => out.push(s), err: (s) => err.push(s) };
  const code = await run(args, io);
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}
