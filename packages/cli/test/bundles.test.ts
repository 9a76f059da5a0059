import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

// The packages as Node runs them: `exports` and `bin` name the bundles `pnpm build` writes
// (scripts/bundle.mjs) from tsc's output. A bundle must give what the compiled modules give.
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const PACKAGES = ['format', 'rocksdb', 'storage', 'state', 'restore', 'convert', 'ha', 'upgrade', 'cli'];
const built = existsSync(join(root, 'packages/cli/dist/bundle/bin.js'));
if (!built) console.log('packages/*/dist/bundle missing (run pnpm build): bundle tests skipped');

/** Every entry point a package's manifest names, with the tsc output it is bundled from. */
function entries(name: string): { bundle: string; compiled: string }[] {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: Record<string, { default?: string }>; bin?: Record<string, string> };
  const targets = [...Object.values(pkg.exports ?? {}).map((e) => e.default!), ...Object.values(pkg.bin ?? {})];
  return targets.map((t) => ({ bundle: join(dir, t), compiled: join(dir, t.replace('./dist/bundle/', './dist/')) }));
}

describe('bundled packages', () => {
  it('every export and bin of every package names a bundle under dist/bundle/', () => {
    for (const name of PACKAGES) {
      const list = entries(name);
      expect(list.length, name).toBeGreaterThan(0);
      for (const { bundle } of list) expect(bundle, name).toContain('/dist/bundle/');
    }
  });

  it.skipIf(!built)('each bundle exports the same names as the compiled module it is made from', async () => {
    for (const name of PACKAGES) {
      for (const { bundle, compiled } of entries(name)) {
        if (bundle.endsWith('bin.js')) continue;
        const [b, c] = await Promise.all([import(pathToFileURL(bundle).href), import(pathToFileURL(compiled).href)]);
        expect(Object.keys(b).sort(), bundle).toEqual(Object.keys(c).sort());
        expect(Object.keys(b).length, bundle).toBeGreaterThan(0);
      }
    }
  });

  it.skipIf(!built)('one class, however it is reached: a bundle imports the other packages, never a copy of them', () => {
    // in Node itself (vitest maps @ckpt/* to the sources): @ckpt/state re-exports @ckpt/format's MemorySource
    const bundleOf = (p: string) => JSON.stringify(pathToFileURL(join(root, 'packages', p, 'dist/bundle/index.js')).href);
    const script = `const f = await import(${bundleOf('format')}); const s = await import(${bundleOf('state')}); console.log(s.MemorySource === f.MemorySource, typeof f.MemorySource);`;
    expect(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }).trim()).toBe('true function');
    for (const name of PACKAGES) {
      const dir = join(root, 'packages', name, 'dist/bundle');
      const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith('.js'));
      expect(files.length).toBeGreaterThanOrEqual(entries(name).length);
      const all = files.map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
      // (esbuild heads each module it takes in with a comment naming its file)
      expect(all, dir).toMatch(new RegExp(`^// packages/${name}/dist/`, 'm'));
      expect(all, dir).not.toMatch(new RegExp(`^// packages/(?!${name}/)[a-z]+/dist/`, 'm'));
    }
  });

  it.skipIf(!built)('the bundled ckpt prints what the compiled one prints', () => {
    const fixture = join(root, 'fixtures/generated/2.3.0/keyed-rocksdb-native-savepoint');
    const run = (bin: string, ...args: string[]) => execFileSync(process.execPath, [bin, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const bundled = join(root, 'packages/cli/dist/bundle/bin.js');
    const compiled = join(root, 'packages/cli/dist/bin.js');
    for (const args of [['inspect', fixture, '--json'], ['dump-state', fixture, '--operator', 'keyed']]) {
      const out = run(bundled, ...args);
      expect(out.length).toBeGreaterThan(100);
      expect(out).toBe(run(compiled, ...args));
    }
  });
});
