import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeMetadata, diffCheckpoints, encodeMetadata, humanBytes, summaryReportOf, sha256 } from '@ckpt/format';
import { parseMetadata, serializeMetadata, type MetadataFormat } from '@ckpt/convert';
import { assignStates, jobFromCheckpoint, normalizeJob, parseJobInput, restorePlan } from '@ckpt/restore';
import { summarizeOperatorState } from '@ckpt/state';
import { chromiumAvailable } from '../../cli/test/support/chromium.js';
import { serve } from '../serve.mjs';
import { builtPage, launch, libraryEntries, savepointWithKeyRenamed, libraryFiles, libraryView, openFolder, openPage, type OpenedPage } from './support.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const fixture = (p: string) => join(root, 'fixtures/generated', p);
const shots = mkdtempSync(join(tmpdir(), 'ckpt-web-shots-'));
const shot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });

const CASES = [
  { version: '1.20.3', scenario: 'keyed-hashmap-savepoint', p: 2 },
  { version: '2.0.1', scenario: 'operator-state-savepoint', p: 4 },
  { version: '2.3.0', scenario: 'keyed-rocksdb-native-savepoint', p: 3 },
  // a Flink SQL job: RowData keys and values
  { version: '2.0.1', scenario: 'sql-hashmap-savepoint', p: 2 },
  // the job's checkpoint folder (chk-2/_metadata, shared/ SSTs named by absolute paths of where Flink wrote them)
  { version: '2.3.0', scenario: 'keyed-rocksdb-incremental-checkpoint/50f1e3a226ab147eddba3c295c08c81e', p: 2 },
];

describe.skipIf(!chromiumAvailable())('the viewer in headless Chromium', () => {
  let context: BrowserContext;
  let url: string;
  beforeAll(async () => {
    url = (await builtPage()).url;
    context = await launch();
    console.log(`screenshots: ${shots}`);
  });
  afterAll(async () => {
    await context?.close();
  });

  /** No request left the page, nothing ran from the data, and no main-thread task took over 200 ms. */
  async function quiet(o: OpenedPage): Promise<void> {
    expect(o.requests).toEqual([]);
    expect(o.dialogs).toEqual([]);
    expect(o.errors).toEqual([]);
    expect((await o.longTasks()).filter((d) => d > 200)).toEqual([]);
  }

  for (const c of CASES) {
    it(`shows what the library computes: ${c.version} ${c.scenario} (summary, plan at ${c.p}, state entries)`, async () => {
      const dir = fixture(`${c.version}/${c.scenario}`);
      const lib = libraryView(dir);
      const want = summaryReportOf(lib.meta);
      const o = await openPage(context, url);
      const { page } = o;
      await openFolder(page, dir);
      expect(await page.locator('#error').textContent()).toBe('');

      const field = (k: string) => page.locator(`[data-field="${k}"]`).textContent();
      expect(await field('checkpoint-id')).toBe(want.checkpointId);
      expect(await field('version')).toBe(String(want.version));
      expect(await field('kind')).toBe(want.type);
      expect(await field('operators')).toBe(String(want.operators.length));
      expect(await field('sha256')).toBe(await sha256(lib.bytes));
      expect(await field('byte-length')).toBe(`${lib.bytes.length} bytes`);
      expect(await field('total-state')).toBe(`${humanBytes(want.totalStateSize)} (${want.totalStateSize} bytes)`);
      const rows = await page.$$eval('tr.operator', (rs) => rs.map((r) => ({ ...(r as HTMLElement).dataset, cells: Array.from(r.children, (td) => td.textContent) }) as Record<string, string | undefined> & { cells: (string | null)[] }));
      expect(rows.length).toBe(want.operators.length);
      for (const [i, w] of want.operators.entries()) {
        const r = rows[i]!;
        expect(r.operatorId).toBe(w.operatorId);
        expect(r.cells[1]).toBe(w.uid ?? w.name ?? '');
        expect([r.parallelism, r.maxParallelism, r.subtasks, r.subtasksWithState]).toEqual([w.parallelism, w.maxParallelism, w.subtasks, w.subtasksWithState].map(String));
        expect(r.keyed).toBe(w.stateSize.managedKeyed);
        expect(r.total).toBe(String(BigInt(w.stateSize.total) + BigInt(w.coordinatorStateBytes)));
        expect(r.cells[10]).toBe(r.total === '0' ? '-' : humanBytes(r.total!));
      }
      await shot(page, `${c.version}-${c.scenario.split('/')[0]}-summary`);

      // rescale plan at a new parallelism for every operator
      await page.click('#tab-plan');
      await page.fill('#plan-all', String(c.p));
      await page.click('#plan-go');
      await page.waitForSelector('#plan-out .verdict');
      const a = assignStates(lib.meta, normalizeJob(jobFromCheckpoint(lib.meta.operators, () => c.p, { checkpointPointer: lib.name })));
      expect(a.ok).toBe(true);
      const plan = restorePlan(lib.meta, a);
      expect(await page.locator('#plan-out .total').getAttribute('data-total-bytes')).toBe(plan.totalBytes.toString());
      for (const d of await page.locator('details.vertex').all()) await d.evaluate((x) => ((x as HTMLDetailsElement).open = true));
      const subs = await page.$$eval('tr.subtask', (rs) => rs.map((r) => ({ ...(r as HTMLElement).dataset })));
      expect(subs.map((s) => [s.vertex, Number(s.index), s.bytes, Number(s.handles), Number(s.keyGroupCount), s.kgStart === undefined ? -1 : Number(s.kgStart)])).toEqual(
        plan.subtasks.map((s) => [s.vertex, s.index, s.bytes.toString(), s.handles, s.keyGroups.count, s.keyGroups.count === 0 ? -1 : s.keyGroups.start]),
      );
      const skews = await page.$$eval('details.vertex', (ds) => ds.map((d) => [(d as HTMLElement).dataset.vertex, (d as HTMLElement).dataset.skew ?? null]));
      expect(skews).toEqual([...new Set(plan.subtasks.map((s) => s.vertex))].map((v) => [v, plan.skew[v] === undefined ? null : String(plan.skew[v])]));
      await shot(page, `${c.version}-${c.scenario.split('/')[0]}-plan`);

      // state entries of the operator with the most state
      const op = [...want.operators].sort((x, y) => Number(BigInt(y.stateSize.total) - BigInt(x.stateSize.total)))[0]!;
      await page.click('#tab-state');
      await page.selectOption('#state-operator', op.operatorId);
      await page.click('#state-go');
      await page.waitForSelector('#entry-count[data-count]');
      const lines = await libraryEntries(lib, op.operatorId);
      expect(lines.length).toBeGreaterThan(0);
      expect(await page.locator('#entry-count').getAttribute('data-count')).toBe(String(lines.length));
      const shown = await page.$$eval('.vlist .row', (rs) => rs.map((r) => [Number((r as HTMLElement).dataset.index), r.textContent] as const));
      expect(shown.length).toBeGreaterThan(0);
      for (const [i, text] of shown) expect(text).toBe(lines[i]);
      await page.waitForSelector('#states-table');
      const states = await summarizeOperatorState(lib.meta.operators.find((x) => x.operatorId === op.operatorId)!, lib.resolver);
      expect(await page.$$eval('tr.state', (rs) => rs.map((r) => ({ ...(r as HTMLElement).dataset })))).toEqual(states.map((x) => ({ state: x.state, entries: String(x.entries), bytes: String(x.bytes) })));
      await page.locator('.vlist .row').first().click();
      expect(JSON.parse((await page.locator('#entry-detail').textContent())!.replace(/^entry 1\n/, ''))).toEqual(JSON.parse(lines[0]!));
      await shot(page, `${c.version}-${c.scenario.split('/')[0]}-state`);
      await quiet(o);
      await page.close();
    });
  }

  it('works served over http from a static server too (serve.mjs, as `pnpm web` runs it)', async () => {
    const dir = dirname(fileURLToPath(url));
    const server = await serve(0, dir);
    try {
      const { port } = server.address() as AddressInfo;
      const served = `http://127.0.0.1:${port}/`;
      const o = await openPage(context, served);
      await openFolder(o.page, fixture('2.3.0/keyed-hashmap-savepoint'));
      expect(await o.page.locator('[data-field="checkpoint-id"]').textContent()).toBe(String(libraryView(fixture('2.3.0/keyed-hashmap-savepoint')).meta.checkpointId));
      expect(o.requests.filter((r) => r !== served)).toEqual([]);
      expect(o.errors).toEqual([]);
      await o.page.close();
      const missing = await fetch(`${served}../../etc/passwd`);
      expect(missing.status).toBe(404);
    } finally {
      server.close();
    }
  });

  it('plans a parallelism chosen for one operator, the others kept', async () => {
    const dir = fixture('2.3.0/keyed-hashmap-savepoint');
    const lib = libraryView(dir);
    const o = await openPage(context, url);
    await openFolder(o.page, dir);
    await o.page.click('#tab-plan');
    await o.page.getByLabel('new parallelism of keyed').fill('5');
    await o.page.click('#plan-go');
    await o.page.waitForSelector('#plan-out .verdict');
    const a = assignStates(lib.meta, normalizeJob(jobFromCheckpoint(lib.meta.operators, (op) => (op.uid === 'keyed' ? 5 : undefined), { checkpointPointer: lib.name })));
    const plan = restorePlan(lib.meta, a);
    const keyed = await o.page.$$eval('tr.subtask[data-vertex="keyed"]', (rs) => rs.map((r) => [Number((r as HTMLElement).dataset.kgStart), Number((r as HTMLElement).dataset.kgEnd), (r as HTMLElement).dataset.bytes]));
    expect(keyed).toEqual(plan.subtasks.filter((s) => s.vertex === 'keyed').map((s) => [s.keyGroups.start, s.keyGroups.start + s.keyGroups.count - 1, s.bytes.toString()]));
    expect(keyed.length).toBe(5);
    const advice = plan.advice.find((x) => x.vertex === 'keyed')!;
    for (const n of advice.notes) expect(await o.page.locator('details.vertex[data-vertex="keyed"] .advice').textContent()).toContain(n);
    expect(await o.page.locator('details.vertex[data-vertex="keyed"]').getAttribute('data-skew')).toBe(String(plan.skew.keyed));
    await quiet(o);
    await o.page.close();
  });

  it('opens a dropped _metadata file', async () => {
    const file = fixture('2.0.1/keyed-hashmap-savepoint/_metadata');
    const want = summaryReportOf(decodeMetadata(new Uint8Array(readFileSync(file))));
    const o = await openPage(context, url);
    const base64 = readFileSync(file).toString('base64');
    await o.page.evaluate((b64) => {
      const dt = new DataTransfer();
      dt.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], '_metadata'));
      const zone = document.querySelector('#drop-a')!;
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    }, base64);
    await o.page.waitForSelector('tr.operator');
    expect(await o.page.locator('[data-field="file"]').textContent()).toBe('_metadata');
    expect(await o.page.locator('[data-field="checkpoint-id"]').textContent()).toBe(want.checkpointId);
    expect(await o.page.locator('tr.operator').count()).toBe(want.operators.length);
    await quiet(o);
    await o.page.close();
  });

  it('filters state entries by key group, as the library reads them', async () => {
    const dir = fixture('2.3.0/keyed-hashmap-savepoint');
    const lib = libraryView(dir);
    const op = lib.meta.operators.find((x) => x.uid === 'keyed')!;
    const o = await openPage(context, url);
    await openFolder(o.page, dir);
    await o.page.click('#tab-state');
    await o.page.selectOption('#state-operator', op.operatorId);
    await o.page.fill('#state-key-groups', '0-40');
    await o.page.click('#state-go');
    await o.page.waitForSelector('#entry-count[data-count]');
    const lines = await libraryEntries(lib, op.operatorId, [0, 40]);
    const all = await libraryEntries(lib, op.operatorId);
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.length).toBeLessThan(all.length);
    expect(await o.page.locator('#entry-count').getAttribute('data-count')).toBe(String(lines.length));
    expect(lines.every((l) => (JSON.parse(l) as { keyGroup: number }).keyGroup <= 40)).toBe(true);
    await o.page.fill('#state-key-groups', '9-3');
    await o.page.click('#state-go');
    expect(await o.page.locator('#state .error').textContent()).toMatch(/ends before it starts/);
    await quiet(o);
    await o.page.close();
  });

  it('gives Flink’s verdict and messages for a pasted job, as `ckpt check` does', async () => {
    const dir = fixture('2.3.0/keyed-hashmap-savepoint');
    const lib = libraryView(dir);
    const o = await openPage(context, url);
    await openFolder(o.page, dir);
    await o.page.click('#tab-check');
    for (const job of ['keyed=300\nsource=1\nsink=1', 'keyed=4\nsource=1\nsink=2\nsource-filter=1', '{"plan": {"jid": "x", "name": "j", "nodes": [{"id": "ffffffffffffffffffffffffffffffff", "parallelism": 2}]}}']) {
      await o.page.fill('#check-job', job);
      await o.page.click('#check-go');
      await o.page.waitForFunction(() => document.querySelector('#check-verdict'));
      const a = assignStates(lib.meta, normalizeJob(parseJobInput(job, { checkpointPointer: lib.name })));
      expect(await o.page.locator('#check-verdict').getAttribute('data-ok')).toBe(String(a.ok));
      if (!a.ok) expect(await o.page.locator('#check-verdict').textContent()).toContain(a.error!.message);
      const shown = await o.page.$$eval('#check-out li.finding', (ls) => ls.map((l) => [(l as HTMLElement).dataset.severity, (l as HTMLElement).dataset.code, l.textContent]));
      const others = a.findings.filter((f) => f !== a.error);
      expect(shown.map((s) => [s[0], s[1]])).toEqual(others.map((f) => [f.severity, f.code]));
      for (const [i, f] of others.entries()) expect(shown[i]![2]).toContain(f.message);
      await shot(o.page, `check-${a.ok ? 'ok' : 'refused'}`);
      await o.page.evaluate(() => document.querySelector('#check-verdict')?.remove());
    }
    // a job that is not one: the typed error, as text
    await o.page.fill('#check-job', '{"vertices": 3');
    await o.page.click('#check-go');
    await o.page.waitForFunction(() => document.querySelector('#error')?.textContent);
    expect(await o.page.locator('#error').getAttribute('data-code')).toBe('InvalidJobDescription');
    await quiet(o);
    await o.page.close();
  });

  it('diffs two opened checkpoints as `ckpt diff` does', async () => {
    const [da, db] = [fixture('2.3.0/keyed-hashmap-savepoint'), fixture('2.3.0/topology-savepoint')];
    const [la, lb] = [libraryView(da), libraryView(db)];
    const want = diffCheckpoints({ uri: la.name, meta: la.meta, files: libraryFiles(la) }, { uri: lb.name, meta: lb.meta, files: libraryFiles(lb) });
    const o = await openPage(context, url);
    await openFolder(o.page, da);
    await o.page.click('#tab-diff');
    await openFolder(o.page, db, 'b');
    const rows = await o.page.$$eval('#diff-table tr.change', (rs) => rs.map((r) => [(r as HTMLElement).dataset.operatorId, (r as HTMLElement).dataset.change, r.children[3]!.textContent]));
    expect(rows).toEqual(want.operators.map((x) => [x.operatorId, x.change, x.details.join('; ')]));
    expect(want.operators.some((x) => x.change !== 'same')).toBe(true);
    for (const k of ['onlyA', 'onlyB', 'shared'] as const) {
      expect(await o.page.locator(`details[data-files="${k}"]`).getAttribute('data-count')).toBe(String(want.files[k].length));
    }
    await shot(o.page, 'diff');
    await quiet(o);
    await o.page.close();
  });

  it('downloads every converted form, each converting back to the same _metadata bytes; opens those exports', async () => {
    const dir = fixture('2.0.1/keyed-hashmap-savepoint');
    const bytes = new Uint8Array(readFileSync(join(dir, '_metadata')));
    const o = await openPage(context, url);
    await openFolder(o.page, dir);
    await o.page.click('#tab-download');
    await shot(o.page, 'download');
    const out = mkdtempSync(join(tmpdir(), 'ckpt-web-dl-'));
    for (const f of ['binary', 'json', 'msgpack', 'protobuf'] as MetadataFormat[]) {
      const [dl] = await Promise.all([o.page.waitForEvent('download'), o.page.click(`#download-${f}`)]);
      const file = join(out, dl.suggestedFilename());
      await dl.saveAs(file);
      const got = new Uint8Array(readFileSync(file));
      expect(got).toEqual(new Uint8Array(serializeMetadata(decodeMetadata(bytes, { file: 'keyed-hashmap-savepoint/_metadata' }), f)));
      expect(encodeMetadata(parseMetadata(got, f))).toEqual(bytes);
    }
    // an export opened on its own: the same summary
    await o.page.setInputFiles('#pick-file-a', join(out, 'metadata.msgpack'));
    await o.page.waitForFunction(() => document.querySelector('[data-field="format"]')?.textContent === 'msgpack');
    expect(await o.page.locator('[data-field="checkpoint-id"]').textContent()).toBe(summaryReportOf(decodeMetadata(bytes)).checkpointId);
    expect(await o.page.locator('tr.operator').count()).toBe(summaryReportOf(decodeMetadata(bytes)).operators.length);
    await quiet(o);
    await o.page.close();
  });

  it('shows hostile uids, names and file names as text: nothing from the input runs or loads', async () => {
    const evil = '<img src=http://127.0.0.1:9/x onerror=alert(1)>';
    const name = '"><script>alert(2)</script>&amp;';
    const meta = decodeMetadata(new Uint8Array(readFileSync(fixture('2.3.0/keyed-hashmap-savepoint/_metadata'))));
    const op = meta.operators.find((x) => x.uid === 'keyed')!;
    op.uid = evil;
    op.name = name;
    const dir = join(mkdtempSync(join(tmpdir(), 'ckpt-web-evil-')), 'sp');
    mkdirSync(dir);
    writeFileSync(join(dir, '_metadata'), encodeMetadata(meta));
    const o = await openPage(context, url);
    await openFolder(o.page, dir);
    expect(await o.page.locator('tr.operator', { hasText: evil }).count()).toBe(1);
    await o.page.click('#tab-plan');
    expect(await o.page.locator('.plan-form td', { hasText: evil }).count()).toBe(1);
    // a file whose name is markup and whose bytes are not a checkpoint: the error names it, as text
    const bad = join(dirname(dir), '<img src=x onerror=alert(3)>.json');
    writeFileSync(bad, '{"not": "a checkpoint"');
    await o.page.setInputFiles('#pick-file-a', bad);
    await o.page.waitForFunction(() => document.querySelector('#error')?.textContent);
    expect(await o.page.locator('#error').textContent()).toMatch(/^\w+: .*/);
    // a state key that is markup, read from its state file: the list and the entry show it as text
    const keyed = await savepointWithKeyRenamed(fixture('2.3.0/keyed-hashmap-savepoint'), 'keyed', 'k9', evil);
    await openFolder(o.page, keyed);
    await o.page.click('#tab-state');
    await o.page.click('#state-go');
    await o.page.waitForSelector('#entry-count[data-count]');
    const lines = await libraryEntries(libraryView(keyed), libraryView(keyed).meta.operators.find((x) => x.uid === 'keyed')!.operatorId);
    const first = lines.findIndex((l) => l.includes(evil.replace(/"/g, '\\"')));
    expect(first).toBeGreaterThanOrEqual(0);
    expect(await o.page.locator(`.vlist .row[data-index="${first}"]`).textContent()).toBe(lines[first]);
    await o.page.locator(`.vlist .row[data-index="${first}"]`).click();
    expect(await o.page.locator('#entry-detail').textContent()).toContain(`"key": "${evil}"`);
    expect(await o.page.locator('script').count()).toBe(1);
    expect(await o.page.locator('img').count()).toBe(0);
    await shot(o.page, 'hostile');
    await quiet(o);
    await o.page.close();
  });

  it('works from the keyboard: Tab to a column header, Enter and Space sort; arrows move between views', async () => {
    const dir = fixture('2.3.0/keyed-hashmap-savepoint');
    const o = await openPage(context, url);
    const { page } = o;
    await openFolder(page, dir);
    const target = 'button.sort[data-sort="total"]';
    let reached = false;
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = await page.evaluate((s) => document.activeElement === document.querySelector(s), target);
    }
    expect(reached).toBe(true);
    const totals = () => page.$$eval('tr.operator', (rs) => rs.map((r) => BigInt((r as HTMLElement).dataset.total!)));
    await page.keyboard.press('Enter');
    expect(await page.locator('th', { has: page.locator(target) }).getAttribute('aria-sort')).toBe('ascending');
    const asc = await totals();
    expect(asc).toEqual([...asc].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    await page.keyboard.press('Space');
    expect(await page.locator('th', { has: page.locator(target) }).getAttribute('aria-sort')).toBe('descending');
    expect(await totals()).toEqual([...asc].reverse());
    await page.focus('#tab-summary');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#tab-plan').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#panel-plan').isVisible()).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('tab-plan');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('plan-all');
    await quiet(o);
    await page.close();
  });
});

describe.skipIf(!chromiumAvailable())('the viewer’s accessibility (axe-core)', () => {
  it('finds no serious or critical violation in any view', async () => {
    const context = await launch({ bypassCSP: true }); // only so that axe's source can be injected
    try {
      const { url } = await builtPage();
      const axe = readFileSync(join(dirname(fileURLToPath(import.meta.resolve('axe-core'))), 'axe.min.js'), 'utf8');
      const o = await openPage(context, url);
      const { page } = o;
      await openFolder(page, fixture('2.3.0/keyed-rocksdb-native-savepoint'));
      await page.addScriptTag({ content: axe });
      const scan = async (view: string) => {
        await page.click(`#tab-${view}`);
        const r = (await page.evaluate(() => (window as unknown as { axe: { run: (c: Document) => Promise<unknown> } }).axe.run(document))) as {
          violations: { id: string; impact: string; nodes: { target: string[] }[] }[];
          passes: unknown[];
        };
        expect(r.passes.length).toBeGreaterThan(10); // the scan ran its rules
        return r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${view}: ${v.id} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
      };
      const found: string[] = [];
      found.push(...(await scan('summary')));
      await page.click('#tab-plan');
      await page.fill('#plan-all', '3');
      await page.click('#plan-go');
      await page.waitForSelector('#plan-out .verdict');
      found.push(...(await scan('plan')));
      await page.click('#tab-state');
      await page.click('#state-go');
      await page.waitForSelector('#entry-count[data-count]');
      found.push(...(await scan('state')));
      await page.click('#tab-check');
      await page.fill('#check-job', 'keyed=300');
      await page.click('#check-go');
      await page.waitForSelector('#check-verdict');
      for (const v of ['check', 'diff', 'download']) found.push(...(await scan(v)));
      expect(found).toEqual([]);
      await page.close();
    } finally {
      await context.close();
    }
  });
});
