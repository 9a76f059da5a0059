import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable } from '../../cli/test/support/chromium.js';
import { launch, openPage } from './support.js';

const here = dirname(fileURLToPath(import.meta.url));
const N = 1_000_000;

describe.skipIf(!chromiumAvailable())('the state list at 10⁶ entries', () => {
  it('draws only the rows in view, reaches the last entry, and never blocks the main thread over 200 ms', async () => {
    // the page's list component on its own, fed the way the worker feeds it (batches of 20 000 lines)
    const r = await build({
      entryPoints: [join(here, 'vlist-harness.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
    });
    const css = '.vlist{position:relative;height:420px;overflow:auto}.vlist .spacer{position:relative}.vlist .row{position:absolute;left:0;right:0;height:22px;white-space:pre}';
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-web-vlist-'));
    writeFileSync(join(dir, 'index.html'), `<!doctype html><html lang="en"><title>list</title><style>${css}</style><body><script>${r.outputFiles[0]!.text}</script>`);
    const context = await launch();
    try {
      const o = await openPage(context, pathToFileURL(join(dir, 'index.html')).href);
      const { page } = o;
      // the lines live in a worker, as the viewer's do; the count grows as they are read
      await page.evaluate(async (n) => {
        const list = (globalThis as unknown as { list: { setLength(n: number): void } }).list;
        for (let done = 0; done < n; ) {
          done = Math.min(n, done + 50_000);
          list.setLength(done);
          await new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 0)));
        }
      }, N);
      const rows = () => page.$$eval('.vlist .row', (rs) => rs.map((x) => Number((x as HTMLElement).dataset.index)));
      await page.waitForSelector('.vlist .row');
      const first = await rows();
      expect(first[0]).toBe(0);
      expect(first.length).toBeLessThan(60);
      expect(await page.$eval('.vlist .row', (x) => x.getAttribute('aria-setsize'))).toBe(String(N));
      // to the end, and into the middle
      for (const to of [Number.MAX_SAFE_INTEGER, 500_000 * 22]) {
        await page.$eval('.vlist', (el, t) => ((el as HTMLElement).scrollTop = t), to);
        await page.waitForFunction((t) => {
          const el = document.querySelector('.vlist')!;
          return Array.from(el.querySelectorAll('.row')).some((r) => Math.abs((r as HTMLElement).offsetTop - el.scrollTop) < 200);
        }, to);
        const shown = await rows();
        expect(shown.length).toBeLessThan(60);
        if (to === Number.MAX_SAFE_INTEGER) expect(shown.at(-1)).toBe(N - 1);
        else expect(shown).toContain(500_000);
      }
      await page.$eval('.vlist', (el) => ((el as HTMLElement).scrollTop = 1e12));
      await page.waitForSelector(`.vlist .row[data-index="${N - 1}"]`);
      expect(await page.$eval(`.vlist .row[data-index="${N - 1}"]`, (x) => x.textContent)).toContain(`"key":"k${N - 1}"`);
      expect(o.errors).toEqual([]);
      expect(o.requests).toEqual([]);
      expect((await o.longTasks()).filter((d) => d > 200)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
