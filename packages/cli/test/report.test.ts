import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignStates, restorePlan } from '@ckpt/restore';
import { loadCheckpoint } from '@ckpt/storage';
import { run, summarize, type Io } from '../src/index.js';
import { newJob } from '../src/commands/restore-job.js';
import { esc } from '../src/report/escape.js';
import { bytesByKind, REPORT_KINDS } from '../src/report/model.js';
import { humanBytes } from '../src/table.js';
import { chromiumAvailable, launchChromium } from './support/chromium.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (p: string) => join(root, 'fixtures/generated', p);
const quiet: Io = { out: () => {}, err: () => {} };

/** The directory holding the (first) `_metadata` below a fixture scenario. */
function checkpointDir(dir: string): string {
  if (readdirSync(dir).includes('_metadata')) return dir;
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) {
      try {
        return checkpointDir(p);
      } catch {
        /* look further */
      }
    }
  }
  throw new Error(`no _metadata below ${dir}`);
}

/** What the library computes for a checkpoint and a parallelism (the values the report must show). */
async function expected(pointer: string, parallelism?: number) {
  const { metadata } = await loadCheckpoint(pointer);
  const summary = summarize(metadata);
  const a = assignStates(metadata, await newJob(metadata, pointer, parallelism === undefined ? {} : { parallelism: String(parallelism) }));
  return { summary, assignment: a, plan: a.ok ? restorePlan(metadata, a) : undefined };
}

async function writeReport(pointer: string, args: string[]): Promise<{ file: string; code: number }> {
  const file = join(mkdtempSync(join(tmpdir(), 'ckpt-report-')), 'report.html');
  const code = await run(['report', pointer, '--out', file, ...args], quiet);
  return { file, code };
}

/** Opens a report and records every request the page makes besides loading the report itself. */
async function open(context: BrowserContext, file: string): Promise<{ page: Page; requests: string[]; dialogs: string[] }> {
  const page = await context.newPage();
  const url = pathToFileURL(file).href;
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== url) requests.push(r.url());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return { page, requests, dialogs };
}

const CASES = [
  { name: '2.3.0 RocksDB native savepoint at parallelism 3', pointer: fixture('2.3.0/keyed-rocksdb-native-savepoint'), p: 3 },
  { name: '2.3.0 heap savepoint at parallelism 5 (uneven key groups)', pointer: fixture('2.3.0/keyed-hashmap-savepoint'), p: 5 },
  { name: '2.3.0 unaligned checkpoint (channel state) at the stored parallelism', pointer: checkpointDir(fixture('2.3.0/unaligned-checkpoint')) },
  { name: '1.20.3 heap savepoint (format version 4) at parallelism 2', pointer: fixture('1.20.3/keyed-hashmap-savepoint'), p: 2 },
  { name: '2.0.1 operator-state savepoint at parallelism 4', pointer: fixture('2.0.1/operator-state-savepoint'), p: 4 },
];

describe.skipIf(!chromiumAvailable())('ckpt report in headless Chromium', () => {
  let context: BrowserContext;
  const shots = mkdtempSync(join(tmpdir(), 'ckpt-report-shots-'));
  beforeAll(async () => {
    context = await launchChromium();
  });
  afterAll(async () => {
    await context?.close();
  });

  for (const c of CASES) {
    it(`shows what the library computes: ${c.name}`, async () => {
      const { file, code } = await writeReport(c.pointer, c.p === undefined ? [] : ['--parallelism', String(c.p)]);
      expect(code).toBe(0);
      const want = await expected(c.pointer, c.p);
      const { page, requests } = await open(context, file);

      const field = (k: string) => page.locator(`[data-field="${k}"]`).textContent();
      expect(await field('checkpoint-id')).toBe(want.summary.checkpointId);
      expect(await field('version')).toBe(String(want.summary.version));
      expect(await field('kind')).toBe(want.summary.type);
      expect(await field('operators')).toBe(String(want.summary.operators.length));

      const ops = await page.$$eval('tr.operator', (rows) => rows.map((r) => ({ ...(r as HTMLElement).dataset, text: r.textContent }) as Record<string, string | undefined>));
      expect(ops.length).toBe(want.summary.operators.length);
      for (const [i, o] of want.summary.operators.entries()) {
        const k = bytesByKind(o);
        expect(ops[i]!.operatorId).toBe(o.operatorId);
        for (const kind of REPORT_KINDS) expect(ops[i]![kind], `${o.operatorId} ${kind}`).toBe(String(k[kind]));
        expect(BigInt(ops[i]!.total!) - BigInt(o.coordinatorStateBytes)).toBe(BigInt(o.stateSize.total));
        expect(ops[i]!.text).toContain(humanBytes(BigInt(o.stateSize.total) + BigInt(o.coordinatorStateBytes)));
      }
      // one bar segment per non-empty kind per operator
      const segments = want.summary.operators.reduce((n, o) => n + REPORT_KINDS.filter((k) => bytesByKind(o)[k] > 0n).length, 0);
      expect(await page.locator('svg.chart rect[data-kind]').count()).toBe(segments);

      const rows = await page.$$eval('tr.subtask', (rs) => rs.map((r) => ({ ...(r as HTMLElement).dataset })));
      const plan = want.plan!;
      expect(rows.length).toBe(plan.subtasks.length);
      for (const [i, s] of plan.subtasks.entries()) {
        expect(rows[i]!.vertex).toBe(s.vertex);
        expect(Number(rows[i]!.index)).toBe(s.index);
        expect(rows[i]!.bytes).toBe(s.bytes.toString());
        if (s.keyGroups.count === 0) expect(rows[i]!.kgStart).toBeUndefined();
        else {
          expect(Number(rows[i]!.kgStart)).toBe(s.keyGroups.start);
          expect(Number(rows[i]!.kgEnd)).toBe(s.keyGroups.start + s.keyGroups.count - 1);
        }
      }
      // vertices that read bytes are open, the others collapsed
      const expanded = await page.$$eval('details.vertex', (ds) => ds.map((d) => [(d as HTMLElement).dataset.vertex, (d as HTMLDetailsElement).open] as const));
      const reading = new Set(plan.subtasks.filter((s) => s.bytes > 0n).map((s) => s.vertex));
      expect(expanded).toEqual([...new Set(plan.subtasks.map((s) => s.vertex))].map((v) => [v, reading.has(v)]));
      expect(await page.locator('#verdict').getAttribute('data-ok')).toBe('true');
      expect(await page.locator('li.finding').count()).toBe(want.assignment.findings.length);
      await page.screenshot({ path: join(shots, `${c.name.replace(/[^a-z0-9]+/gi, '-')}.png`), fullPage: true });
      expect(requests).toEqual([]);
      await page.close();
    });
  }

  it('shows Flink’s refusal as a finding, and no plan, above the max parallelism', async () => {
    const pointer = fixture('2.3.0/keyed-hashmap-savepoint');
    const { file, code } = await writeReport(pointer, ['--parallelism', '300']);
    expect(code).toBe(3);
    const want = await expected(pointer, 300);
    expect(want.assignment.ok).toBe(false);
    const { page, requests } = await open(context, file);
    expect(await page.locator('#verdict').getAttribute('data-ok')).toBe('false');
    expect(await page.locator('#verdict').textContent()).toContain(want.assignment.error!.message);
    const findings = await page.$$eval('li.finding', (ls) => ls.map((l) => ({ ...(l as HTMLElement).dataset })));
    expect(findings.map((f) => [f.severity, f.code])).toEqual(want.assignment.findings.map((f) => [f.severity, f.code]));
    expect(findings.some((f) => f.severity === 'error' && f.code === want.assignment.error!.code)).toBe(true);
    expect(await page.locator('tr.subtask').count()).toBe(0);
    await page.screenshot({ path: join(shots, 'refused.png'), fullPage: true });
    expect(requests).toEqual([]);
    await page.close();
  });

  it('shows hostile uids and names as text: nothing from the file runs or loads', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-report-'));
    const evil = '<img src=http://127.0.0.1:9/x onerror=alert(1)>';
    const name = '"><script>alert(2)</script>&amp;';
    const sp = join(tmp, 'sp');
    expect(await run(['modify', fixture('2.3.0/keyed-hashmap-savepoint'), sp, '--set-uid', `keyed=${evil}`, '--set-name', `keyed=${name}`], quiet)).toBe(0);
    const { file, code } = await writeReport(sp, ['-p', '2']);
    expect(code).toBe(0);
    const { page, requests, dialogs } = await open(context, file);
    const row = page.locator('tr.operator', { hasText: evil });
    expect(await row.count()).toBe(1);
    expect(await row.textContent()).toContain(name);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(requests).toEqual([]);
    await page.close();
  });

  it('sorts a table by a column and filters highlighted subtasks with its inline script', async () => {
    const { file } = await writeReport(fixture('2.3.0/keyed-hashmap-savepoint'), ['-p', '5']);
    const { page } = await open(context, file);
    const table = page.locator('#operator-table');
    await table.locator('th', { hasText: 'total' }).click();
    const asc = await table.locator('tbody tr').evaluateAll((rs) => rs.map((r) => Number((r as HTMLElement).dataset.total)));
    expect(asc).toEqual([...asc].sort((a, b) => a - b));
    await page.locator('#only-skewed').check();
    const visible = await page.$$eval('tr.subtask', (rs) => rs.filter((r) => !(r as HTMLElement).hidden).map((r) => (r as HTMLElement).dataset.skewed));
    expect(visible.every((s) => s === 'true')).toBe(true);
    await page.close();
  });
});

describe('ckpt report files', () => {
  it('never writes over its input and reports an invalid job with a clear message', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'ckpt-report-'));
    const sp = fixture('2.3.0/keyed-hashmap-savepoint');
    const err: string[] = [];
    const io: Io = { out: () => {}, err: (s) => err.push(s) };
    expect(await run(['report', sp, '--out', join(sp, '_metadata')], io)).toBe(1);
    expect(err.join('\n')).toMatch(/refusing to overwrite the input/);
    const job = join(tmp, 'job.json');
    writeFileSync(job, '{"vertices": 3}');
    expect(await run(['report', sp, '--job', job, '--out', join(tmp, 'r.html')], io)).toBe(2);
    expect(err.join('\n')).toMatch(/InvalidJobDescription/);
  });

  it('has the upgrade-check findings for the newest 2.x, or for --upgrade-to', async () => {
    const kryo = fixture('1.20.3/kryo-state-savepoint');
    const { file, code } = await writeReport(kryo, []);
    expect(code).toBe(0); // the job itself restores on the writing release
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<section id="upgrade"><h2>Upgrade to Flink 2\.3<\/h2>/);
    expect(html).toContain('data-verdict="fails-while-restoring"');
    expect([...html.matchAll(/class="upgrade-finding error"[^>]*data-code="kryo-collection"/g)]).toHaveLength(1);
    expect([...html.matchAll(/class="upgrade-finding warning"[^>]*data-code="kryo-bytes"/g)]).toHaveLength(1);
    const same = readFileSync((await writeReport(kryo, ['--upgrade-to', '1.20'])).file, 'utf8');
    expect(same).toContain('data-verdict="ok"');
  });

  it('is one self-contained file: no URL to load anything from, a CSP that forbids it', async () => {
    const { file } = await writeReport(fixture('2.3.0/keyed-rocksdb-native-savepoint'), ['-p', '2']);
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    expect(html).not.toMatch(/<link|<iframe|src=|@import|url\(/i);
    expect(html.match(/https?:\/\/[^"'\s<]+/g) ?? []).toEqual(Array(html.match(/https?:\/\/[^"'\s<]+/g)?.length ?? 0).fill('http://www.w3.org/2000/svg'));
  });

  it('escapes every string so that no markup survives and the text comes back unchanged', () => {
    const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const e = esc(s);
        expect(e).not.toMatch(/[<>"']/);
        expect(unescape(e)).toBe(s);
      }),
    );
  });
});
