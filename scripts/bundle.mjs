// Bundles each workspace package's compiled entry points (tsc's dist/, run `tsc -b` first) into
// dist/bundle/: one module per entry point plus shared and lazily loaded chunks, instead of the ~170
// modules Node would otherwise resolve, read and link on every start (a fresh `ckpt` process or
// script pays ~100 ms for that). Every bare import stays an import — npm dependencies and the other
// @ckpt packages (their own bundles, through their `exports`) — so a class has one definition
// however it is reached and optional dependencies still load only when used. The package's
// `exports` (`default`) and `bin` name these bundles; types stay tsc's.
//   node scripts/bundle.mjs            all packages
//   node scripts/bundle.mjs --check    exits 1 when a package's exports/bin do not name dist/bundle/
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The packages Node runs (web is bundled for browsers by its own build). */
const PACKAGES = ['format', 'rocksdb', 'storage', 'state', 'restore', 'convert', 'ha', 'upgrade', 'cli'];
const BUNDLE = './dist/bundle/';

/** `./dist/bundle/x.js` → `./dist/x.js`: the tsc output a bundle entry is made from. */
const compiledOf = (target) => `./dist/${target.slice(BUNDLE.length)}`;

/** The bundle targets a package's manifest names: every export's `default` and every bin. */
function targets(pkg) {
  const out = [];
  for (const spec of Object.values(pkg.exports ?? {})) if (typeof spec === 'object' && spec.default) out.push(spec.default);
  for (const bin of Object.values(pkg.bin ?? {})) out.push(bin);
  return out;
}

const check = process.argv.includes('--check');
let bad = 0;
for (const name of PACKAGES) {
  const dir = join(root, 'packages', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const wanted = targets(pkg);
  const stray = wanted.filter((t) => !t.startsWith(BUNDLE));
  if (stray.length > 0) {
    console.error(`bundle: ${name}: ${stray.join(', ')} not under ${BUNDLE}`);
    bad++;
    continue;
  }
  if (check) continue;
  const entryPoints = wanted.map((t) => join(dir, compiledOf(t)));
  const missing = entryPoints.filter((e) => !existsSync(e));
  if (missing.length > 0) throw new Error(`bundle: ${name}: ${missing.map((m) => relative(root, m)).join(', ')} missing: run tsc -b first`);
  const outdir = join(dir, 'dist', 'bundle');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints,
    absWorkingDir: root,
    outbase: join(dir, 'dist'),
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: true,
    logLevel: 'warning',
  });
}
if (bad > 0) process.exit(1);
