import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, launchChromium } from './support/chromium.js';
import { readSavepoint } from './support/browser-entry.js';

// The packages whose read side the design promises to run in a browser: each bundles for the
// browser with no Node built-in anywhere in its import graph, and the bundle decodes and reads
// a real savepoint in headless Chromium with the same answers as Node.
const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../../..');
const SAVEPOINT = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');
const BROWSER_SAFE = ['@ckpt/format', '@ckpt/restore', '@ckpt/convert', '@ckpt/state'];
const builtins = new Set(builtinModules);

const INNER = Symbol('inner');

/**
 * Records every import of a Node built-in (`node:x` or a bare `fs`, `path`, …) and who made it,
 * unless a package's `browser` field maps it away (protobufjs: `"fs": false`).
 */
function nodeImports(found: string[]): Plugin {
  return {
    name: 'node-imports',
    setup(b) {
      b.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === INNER || !(args.path.startsWith('node:') || builtins.has(args.path))) return undefined;
        const r = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: INNER });
        if (r.errors.length === 0 && r.namespace === '') return undefined; // disabled by a `browser` field: an empty module
        found.push(`${args.path} imported by ${args.importer.slice(root.length + 1)}`);
        return { path: args.path, external: true };
      });
    },
  };
}

async function bundle(contents: string, extra: { format?: 'esm' | 'iife'; globalName?: string } = {}) {
  const found: string[] = [];
  const r = await build({
    stdin: { contents, resolveDir: here, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    write: false,
    platform: 'browser',
    format: extra.format ?? 'esm',
    ...(extra.globalName ? { globalName: extra.globalName } : {}),
    // the TypeScript sources, as vitest runs them (the `source` export condition of every package)
    conditions: ['source'],
    target: 'es2022',
    logLevel: 'silent',
    plugins: [nodeImports(found)],
  });
  return { code: r.outputFiles[0]!.text, found };
}

describe('browser-safe packages', () => {
  for (const pkg of BROWSER_SAFE) {
    it(`${pkg} bundles for the browser without a node: import`, async () => {
      const { code, found } = await bundle(`export * from '${pkg}';`);
      expect(found).toEqual([]);
      expect(code.length).toBeGreaterThan(1000);
    });
  }

  it('the Node-only entry @ckpt/state/node is where the node: imports are (the check can fail)', async () => {
    const { found } = await bundle(`export * from '@ckpt/state/node';`);
    expect(found.some((f) => f.startsWith('node:fs/promises imported by packages/state/src/node/'))).toBe(true);
  });
});

describe.skipIf(!chromiumAvailable())('the read side in headless Chromium', () => {
  let context: BrowserContext;
  beforeAll(async () => {
    context = await launchChromium();
  });
  afterAll(async () => {
    await context?.close();
  });

  it('decodes _metadata, converts it byte-exactly, and reads every state entry from File objects', async () => {
    const { code, found } = await bundle(`export { readSavepoint } from './support/browser-entry.ts';`, { format: 'iife', globalName: 'ckptTest' });
    expect(found).toEqual([]);
    const files = readdirSync(SAVEPOINT).map((name) => ({ name, base64: readFileSync(join(SAVEPOINT, name)).toString('base64') }));
    const dir = 'file:/flink/savepoints/savepoint-1';
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    // a page of its own on http://localhost (a secure context, as a served viewer is: WebCrypto),
    // answered here: nothing goes over the network
    await page.route('http://localhost/**', (route) =>
      route.fulfill({ contentType: 'text/html', body: `<!doctype html><title>ckpt</title><script>${code.replace(/<\/script/gi, '<\\/script')}</script>` }),
    );
    await page.goto('http://localhost/read.html');
    const inBrowser = await page.evaluate(
      async ({ files, dir }) => {
        const picked = files.map((f) => new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name));
        const ns = (globalThis as unknown as { ckptTest: { readSavepoint: (f: File[], d: string) => Promise<unknown> } }).ckptTest;
        return { isNode: typeof (globalThis as { process?: unknown }).process !== 'undefined', result: await ns.readSavepoint(picked, dir) };
      },
      { files, dir },
    );
    await page.close();
    expect(errors).toEqual([]);
    expect(inBrowser.isNode).toBe(false);
    const inNode = await readSavepoint(
      files.map((f) => new File([Buffer.from(f.base64, 'base64')], f.name)),
      dir,
    );
    expect(inBrowser.result).toEqual(inNode);
    const r = inNode as { byteExact: boolean[]; entries: string[]; checkpointId: string };
    expect(r.byteExact).toEqual([true, true, true]);
    // the manifest's 130 keyed entries (sum, max, values of each key) plus the operator state elements
    expect(r.entries.filter((e) => e.includes('"op":"keyed"')).length).toBe(130);
  });
});
