// The static viewer (packages/web) on the largest synthetic `_metadata` (synthetic-xl, 187.5 MiB):
// time from picking the file to the summary on screen (the worker's streaming summary and SHA-256,
// then the page drawing it), next to `ckpt inspect --stream` on the same file (a fresh process, as
// a user runs it); and the longest main-thread task meanwhile (PerformanceObserver longtask).
// Prints {rows} for bench/run.mjs. Not a test: nothing is asserted.
//   BENCH_WEB_ROUNDS (default 3)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { syntheticInputs } from './format.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const rounds = Number(process.env.BENCH_WEB_ROUNDS ?? 3);
const CHROMIUM = '/usr/bin/chromium';
const log = (m) => console.error(`[web] ${m}`);
const ms = (x) => `${x.toFixed(0)} ms`;

if (!existsSync(CHROMIUM)) {
  log(`${CHROMIUM} missing (apt-get install -y chromium): web bench skipped`);
  console.log(JSON.stringify({ rows: [] }));
  process.exit(0);
}
const input = syntheticInputs().find((i) => i.name === 'synthetic-xl');
const mib = (Number(execFileSync('stat', ['-c', '%s', input.file], { encoding: 'utf8' })) / 2 ** 20).toFixed(1);
const label = `synthetic-xl _metadata (${mib} MiB)`;

// ckpt inspect --stream: a fresh process each round, output discarded
const cli = [];
for (let r = 0; r < rounds; r++) {
  const t = process.hrtime.bigint();
  execFileSync(process.execPath, [join(root, 'packages/cli/dist/bundle/bin.js'), 'inspect', '--stream', input.file], { stdio: ['ignore', 'ignore', 'inherit'] });
  cli.push(Number(process.hrtime.bigint() - t) / 1e6);
}
log(`ckpt inspect --stream: ${cli.map(ms).join(', ')}`);

// the page, built as `pnpm web` builds it, opened from disk
const { buildPage } = await import(pathToFileURL(join(root, 'packages/web/build.mjs')).href);
const dir = join(root, 'bench', 'out', 'web');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'index.html'), (await buildPage()).html);
const { chromium } = createRequire(join(root, 'packages/web/package.json'))('playwright-core');
const context = await chromium.launchPersistentContext(join(dir, `profile-${process.pid}`), {
  executablePath: CHROMIUM,
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
});
const page = [];
const longest = [];
const planMs = [];
try {
  for (let r = 0; r < rounds; r++) {
    const p = await context.newPage();
    await p.addInitScript(() => {
      window.__longTasks = [];
      new PerformanceObserver((l) => {
        for (const e of l.getEntries()) window.__longTasks.push(e.duration);
      }).observe({ type: 'longtask', buffered: true });
    });
    await p.goto(pathToFileURL(join(dir, 'index.html')).href, { waitUntil: 'load' });
    await p.evaluate(() => (window.__longTasks.length = 0)); // page start-up is not the open
    await p.setInputFiles('#pick-file-a', input.file);
    await p.waitForSelector('[data-field="checkpoint-id"]', { timeout: 600_000 });
    page.push(await p.evaluate(() => performance.measure('open', 'ckpt:open', 'ckpt:summary').duration));
    // the model decodes in the worker after the summary; the page stays responsive meanwhile (the
    // rescale view, drawn on its first showing, holds a row per operator: 200 here)
    await p.click('#tab-plan');
    // and a rescale plan of every operator to 128 (51 200 new subtasks), computed in the worker
    await p.fill('#plan-all', '128');
    const t = Date.now();
    await p.click('#plan-go');
    await p.waitForSelector('#plan-out .verdict', { timeout: 600_000 });
    planMs.push(Date.now() - t);
    longest.push(Math.max(0, ...(await p.evaluate(() => window.__longTasks))));
    await p.close();
  }
} finally {
  await context.close();
}
log(`page time-to-summary: ${page.map(ms).join(', ')}; plan at 128: ${planMs.map(ms).join(', ')}; longest main-thread task: ${longest.map(ms).join(', ')}`);
const min = (xs) => Math.min(...xs);
console.log(
  JSON.stringify({
    rows: [
      { case: 'web viewer time-to-summary vs `ckpt inspect --stream`', input: label, ckpt: ms(min(page)), baseline: ms(min(cli)), ratio: min(cli) / min(page), target: '≥ 0.5' },
      { case: '  same, then a plan at 128: longest main-thread task / 200 ms', input: label, ckpt: ms(Math.max(...longest)), baseline: '200 ms', ratio: Math.max(...longest) / 200, target: '≤ 1' },
    ],
    cliMs: cli,
    pageMs: page,
    longestTaskMs: longest,
    planMs,
  }),
);
