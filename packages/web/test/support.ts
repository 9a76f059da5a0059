import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { ByteWriter, decodeMetadata, encodeMetadata, forEachStreamHandle, type CheckpointMetadata } from '@ckpt/format';
import {
  blobOpener,
  HandleResolver,
  KeyedStateFile,
  operatorEntries,
  SnappyFraming,
  stateJsonLine,
  writeCanonicalKeyedState,
  writeStringValue,
  type RawKeyedEntry,
} from '@ckpt/state';
import { buildPage } from '../build.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../cli/test/support/chromium.js';

/** Builds the page into a fresh directory; its file:// URL. */
export async function builtPage(): Promise<{ url: string; html: string; inputs: string[] }> {
  const { html, inputs } = await buildPage();
  const dir = mkdtempSync(join(tmpdir(), 'ckpt-web-'));
  writeFileSync(join(dir, 'index.html'), html);
  return { url: pathToFileURL(join(dir, 'index.html')).href, html, inputs };
}

/** Headless Chromium that talks to nobody (`bypassCSP` only for the accessibility scan's injected script). */
export async function launch(opts: { bypassCSP?: boolean } = {}): Promise<BrowserContext> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'ckpt-web-chromium-'));
  return chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true, acceptDownloads: true, ...opts });
}

export interface OpenedPage {
  page: Page;
  /** Every request besides the page itself and the worker's blob: URL. */
  requests: string[];
  dialogs: string[];
  errors: string[];
  /** Main-thread tasks over 50 ms (PerformanceObserver longtask) since the page started: their durations. */
  longTasks: () => Promise<number[]>;
}

export async function openPage(context: BrowserContext, url: string): Promise<OpenedPage> {
  const page = await context.newPage();
  const requests: string[] = [];
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    if (r.url() !== url && !r.url().startsWith('blob:')) requests.push(r.url());
  });
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.addInitScript(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((l) => {
      for (const e of l.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask', buffered: true });
  });
  await page.goto(url, { waitUntil: 'load' });
  // the page's start-up (parsing its one script) is not what is measured: the work on the input is
  await page.evaluate(() => new Promise((ok) => requestAnimationFrame(() => setTimeout(ok, 50))));
  await page.evaluate(() => ((window as unknown as { __longTasks: number[] }).__longTasks.length = 0));
  return { page, requests, dialogs, errors, longTasks: () => page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks) };
}

/** Opens a folder through the folder picker and waits for the summary (or an error). */
export async function openFolder(page: Page, dir: string, slot: 'a' | 'b' = 'a'): Promise<void> {
  await page.setInputFiles(`#pick-dir-${slot}`, dir);
  await page.waitForFunction((s) => (s === 'a' ? document.querySelector('tr.operator') : document.querySelector('#diff-table')) || document.querySelector('#error')?.textContent, slot);
}

/** The files below a directory, as the page gets them from a folder pick (path below the folder's parent). */
export function folderFiles(dir: string, base = dir.split('/').pop()!): { path: string; file: File }[] {
  const out: { path: string; file: File }[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...folderFiles(p, `${base}/${e.name}`));
    else out.push({ path: `${base}/${e.name}`, file: new File([readFileSync(p)], e.name) });
  }
  return out;
}

/** What the library computes for a picked folder, as the page's worker is given it. */
export function libraryView(dir: string): { meta: CheckpointMetadata; bytes: Uint8Array; name: string; resolver: HandleResolver } {
  const files = folderFiles(dir);
  // the shallowest _metadata below the picked folder
  const mf = files.filter((f) => f.path.endsWith('/_metadata')).sort((a, b) => a.path.split('/').length - b.path.split('/').length)[0]!;
  const bytes = new Uint8Array(readFileSync(join(dir, mf.path.split('/').slice(1).join('/'))));
  const resolver = new HandleResolver({
    metadataDir: mf.path.slice(0, mf.path.lastIndexOf('/')),
    open: blobOpener(files.map((f) => ({ name: f.path, webkitRelativePath: f.path, size: f.file.size, slice: (a?: number, b?: number) => f.file.slice(a, b) }))),
  });
  return { meta: decodeMetadata(bytes, { file: mf.path }), bytes, name: mf.path, resolver };
}

export async function libraryEntries(v: ReturnType<typeof libraryView>, operatorId: string, keyGroups?: [number, number]): Promise<string[]> {
  const op = v.meta.operators.find((o) => o.operatorId === operatorId)!;
  const lines: string[] = [];
  for await (const e of operatorEntries(op, v.resolver, keyGroups ? { keyGroups } : {})) lines.push(stateJsonLine(e));
  return lines;
}

export function libraryFiles(v: ReturnType<typeof libraryView>): string[] {
  const files = new Set<string>();
  forEachStreamHandle(v.meta, (h) => {
    const u = v.resolver.uriOf(h);
    if (u !== undefined) files.add(u);
  });
  return [...files];
}

const stringValue = (s: string) => {
  const w = new ByteWriter();
  writeStringValue(w, s);
  return w.finish();
};

/**
 * A copy of a heap savepoint whose String key `key` (of the operator `uid`, subtask 0) is renamed
 * `to` in the state file (rewritten by the canonical writer; offsets and size updated in `_metadata`).
 */
export async function savepointWithKeyRenamed(dir: string, uid: string, key: string, to: string): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'ckpt-web-keys-')), 'sp');
  cpSync(dir, out, { recursive: true });
  const lib = libraryView(out);
  const op = lib.meta.operators.find((o) => o.uid === uid)!;
  const h = op.subtasks[0]!.managedKeyedState!;
  if (h.kind !== 'savepointKeyGroups' && h.kind !== 'keyGroups') throw new Error(`${uid}: not a canonical keyed handle`);
  if (h.delegate.kind !== 'relativeFile') throw new Error(`${uid}: the state file is not relative`);
  const kf = await KeyedStateFile.open(h, lib.resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
  const from = stringValue(key);
  const renamed = stringValue(to);
  const groups = new Map<number, RawKeyedEntry[]>();
  let n = 0;
  for await (const g of kf.rawKeyGroups()) {
    groups.set(
      g.keyGroup,
      g.entries.map(({ stateId, key: k, value }) => {
        const hit = k.length >= from.length && from.every((b, i) => k[i] === b);
        if (hit) n++;
        return { stateId, key: hit ? Uint8Array.from([...renamed, ...k.subarray(from.length)]) : k, value };
      }),
    );
  }
  if (n === 0) throw new Error(`no key ${key} in ${uid}`);
  const { bytes, offsets } = writeCanonicalKeyedState({
    header: kf.header.raw,
    keyGroupStart: h.keyGroupRange.start,
    keyGroupCount: h.keyGroupRange.count,
    maxParallelism: op.maxParallelism,
    keyGroups: groups,
    compressed: kf.header.compressed,
    framing: await SnappyFraming.create(),
  });
  writeFileSync(join(out, h.delegate.relativePath), bytes);
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(out, '_metadata'))));
  const same = meta.operators.find((o) => o.uid === uid)!.subtasks[0]!.managedKeyedState as typeof h;
  (same as { offsets: bigint[] }).offsets = offsets;
  (same.delegate as { size: bigint }).size = BigInt(bytes.length);
  writeFileSync(join(out, '_metadata'), encodeMetadata(meta));
  return out;
}
