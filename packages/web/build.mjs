// Builds dist/index.html: one self-contained page (script and style inline, the worker inlined as
// a string and started from a Blob URL), so it works from file:// and from any static host. The
// Content-Security-Policy allows exactly the inline script and style (by hash), WebAssembly,
// and workers from blob: — no network at all.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));

/** Bundles one entry for the browser; returns its code. */
async function bundle(entry, define = {}) {
  const r = await build({
    entryPoints: [join(here, 'src', entry)],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    legalComments: 'none',
    // the TypeScript sources of the workspace packages, as the tests run them
    conditions: ['source'],
    define,
    metafile: true,
    logLevel: 'warning',
  });
  return { code: r.outputFiles[0].text, inputs: Object.keys(r.metafile.inputs) };
}

const sha = (s) => `'sha256-${createHash('sha256').update(s, 'utf8').digest('base64')}'`;

/** The page: index.html with the app and the worker inline. `node build.mjs [out-dir]` writes it (default dist/). */
export async function buildPage() {
  const w = await bundle('worker.ts');
  const worker = w.code;
  const main = await bundle('main.ts', { __WORKER_SOURCE__: JSON.stringify(worker) });
  const app = main.code.replace(/<\/script/gi, '<\\/script');
  const css = readFileSync(join(here, 'src', 'style.css'), 'utf8');
  const csp = [
    "default-src 'none'",
    `script-src ${sha(app)} 'wasm-unsafe-eval' 'unsafe-eval'`,
    `style-src ${sha(css)}`,
    'worker-src blob:',
    'img-src data:',
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ckpt — checkpoint viewer</title>
<style>${css}</style>
</head>
<body>
<script>${app}</script>
</body>
</html>
`;
  /** every source file in the page, for checks of what is (never) bundled */
  const inputs = [...new Set([...w.inputs, ...main.inputs])];
  return { html, app, worker, csp, inputs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { html, app, worker } = await buildPage();
  const dist = process.argv[2] ?? join(here, 'dist');
  mkdirSync(dist, { recursive: true });
  const tmp = join(dist, `.index.html.${process.pid}`);
  writeFileSync(tmp, html);
  renameSync(tmp, join(dist, 'index.html'));
  console.log(`dist/index.html: ${(html.length / 1024).toFixed(0)} KiB (app ${(app.length / 1024).toFixed(0)} KiB, worker ${(worker.length / 1024).toFixed(0)} KiB)`);
}
