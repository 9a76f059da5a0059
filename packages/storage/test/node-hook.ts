import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO } from './fixtures.js';

/**
 * Runs a TypeScript module (`script`, through tsx) in fresh Node processes whose every import first
 * passes `resolve`, the body of a module hook `resolve(s, c, n)` (specifier, context, next): a way
 * to see which packages code loads, or to hide one as if it were not installed. `f` gets `run(...args)`
 * (stdout of one process; throws when it fails); the temporary files are removed after it.
 */
export function withResolveHook<T>(resolve: string, script: string, opts: { cwd: string; conditions?: string[] }, f: (run: (...args: string[]) => string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-hook-'));
  try {
    const hook = join(dir, 'hook.mjs');
    const hookModule = `export async function resolve(s, c, n) { ${resolve} }`;
    writeFileSync(hook, `import { register } from 'node:module';\nregister('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hookModule)}));`);
    const main = join(dir, 'main.mts');
    writeFileSync(main, script);
    const tsx = join(REPO, 'node_modules/tsx/dist/esm/index.mjs');
    const conditions = (opts.conditions ?? []).flatMap((c) => ['--conditions', c]);
    return f((...args) => execFileSync(process.execPath, [...conditions, '--import', tsx, '--import', hook, main, ...args], { cwd: opts.cwd, encoding: 'utf8', stdio: 'pipe' }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
