/**
 * Helpers for the loopback test servers of @ckpt/storage. Every server binds 127.0.0.1 only.
 * A server that cannot start throws (tests must fail loudly, never skip).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';
import { fileURLToPath } from 'node:url';

export const HOST = '127.0.0.1';

/** packages/storage, whose node_modules hold the server packages (s3rver, azurite). */
export const STORAGE_PKG = fileURLToPath(new URL('../../packages/storage/', import.meta.url));

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on HOST:port. */
export async function waitForPort(port: number, timeoutMs: number, what: string, child?: ChildProcess): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (child && child.exitCode !== null) throw new Error(`${what} exited with code ${child.exitCode} before listening`);
    const ok = await new Promise<boolean>((r) => {
      const c = connect(port, HOST);
      c.once('connect', () => {
        c.destroy();
        r(true);
      });
      c.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} did not listen on ${HOST}:${port} within ${timeoutMs} ms`);
}

export interface Spawned {
  child: ChildProcess;
  output: () => string;
  stop: () => Promise<void>;
}

/** Spawns a server process, keeping the last 20 kB of its output for error messages. */
export function spawnServer(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: NodeJS.ProcessEnv; stdinPipe?: boolean; dieWithParent?: boolean } = {},
): Spawned {
  // dieWithParent: a shell holds our stdin pipe and kills the server once it closes, so a
  // crashed or killed test worker never leaves a server behind
  const [c, a] = opts.dieWithParent
    ? ['sh', ['-c', 'exec 3<&0; "$0" "$@" </dev/null & p=$!; (cat <&3 >/dev/null; kill $p 2>/dev/null) & wait $p', cmd, ...args]]
    : [cmd, args];
  const child = spawn(c, a, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: [opts.stdinPipe || opts.dieWithParent ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (b: Buffer): void => {
    out = (out + b.toString()).slice(-20000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  child.on('error', (e) => keep(Buffer.from(`spawn error: ${String(e)}\n`)));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const timer = (ms: number, f: () => void): NodeJS.Timeout => setTimeout(f, ms);
    child.stdin?.end(); // servers watching stdin shut down cleanly on EOF
    const term = timer(child.stdin ? 10_000 : 0, () => child.kill('SIGTERM'));
    const kill = timer(child.stdin ? 15_000 : 5_000, () => child.kill('SIGKILL'));
    await exited;
    clearTimeout(term);
    clearTimeout(kill);
  };
  return { child, output: () => out, stop };
}

/** Runs a command to completion; throws with its output on failure. */
export function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.stderr.on('data', (b: Buffer) => (out += b.toString()));
    const t = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 600_000);
    child.on('error', (e) => {
      clearTimeout(t);
      reject(new Error(`${cmd} failed to start: ${String(e)}`));
    });
    child.on('exit', (code) => {
      clearTimeout(t);
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out.slice(-4000)}`));
    });
  });
}
