/**
 * The page: opens a checkpoint from the files the user picks or drops (nothing leaves the
 * machine), asks the worker for what to show, and draws it. No number is computed here.
 */
import { humanBytes } from '@ckpt/format';
import type { StateSummary } from '@ckpt/state';
import { ViewerFailure, WorkerClient } from './client.js';
import { append, fill, h } from './dom.js';
import { droppedFiles, pickedFiles } from './open.js';
import type { CheckAnswer, CheckpointDiff, OpenAnswer, PickedFile, PlanAnswer, Slot } from './protocol.js';
import { checkForm, renderCheck } from './views/check.js';
import { renderDiff } from './views/diff.js';
import { planForm, renderPlan } from './views/plan.js';
import { StateView } from './views/state.js';
import { renderSummary } from './views/summary.js';

const worker = new WorkerClient();
const opened: Partial<Record<Slot, OpenAnswer>> = {};

const TABS = [
  ['summary', 'Summary'],
  ['plan', 'Rescale plan'],
  ['check', 'Flink’s verdict'],
  ['state', 'State'],
  ['diff', 'Diff'],
  ['download', 'Download'],
] as const;
type Tab = (typeof TABS)[number][0];

/** A drop zone with a file and a folder picker for one slot. */
function openArea(slot: Slot, title: string): HTMLElement {
  const file = h('input', { type: 'file', id: `pick-file-${slot}` });
  const dir = h('input', { type: 'file', id: `pick-dir-${slot}`, webkitdirectory: true, multiple: true });
  file.addEventListener('change', () => void openFiles(slot, pickedFiles(file)));
  dir.addEventListener('change', () => void openFiles(slot, pickedFiles(dir)));
  const zone = h(
    'div',
    { class: 'drop', id: `drop-${slot}` },
    h('p', {}, title),
    h('p', {}, h('label', { for: `pick-dir-${slot}` }, 'A savepoint or checkpoint folder: '), dir),
    h('p', {}, h('label', { for: `pick-file-${slot}` }, 'Or one file (_metadata, or a JSON / msgpack / protobuf export): '), file),
  );
  zone.addEventListener('dragover', (e) => {
    e.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragleave', () => zone.classList.remove('over'));
  zone.addEventListener('drop', (e) => {
    e.preventDefault();
    zone.classList.remove('over');
    if (e.dataTransfer) void droppedFiles(e.dataTransfer).then((files) => openFiles(slot, files));
  });
  return zone;
}

const status = h('p', { id: 'status', role: 'status' });
const errorBox = h('p', { id: 'error', class: 'error', role: 'alert' });

function fail(e: unknown): void {
  const code = e instanceof ViewerFailure ? e.code : 'Error';
  const message = (e as Error).message ?? String(e);
  // the packages' messages may already start with their code
  errorBox.textContent = message.startsWith(`${code}:`) ? message : `${code}: ${message}`;
  errorBox.dataset.code = code;
  status.textContent = '';
}

function busy(text: string): void {
  errorBox.textContent = '';
  delete errorBox.dataset.code;
  status.textContent = text;
}

const panels = new Map<Tab, HTMLElement>();
const tabButtons = new Map<Tab, HTMLButtonElement>();

function select(tab: Tab): void {
  for (const [t, b] of tabButtons) {
    b.setAttribute('aria-selected', String(t === tab));
    b.tabIndex = t === tab ? 0 : -1;
    panels.get(t)!.hidden = t !== tab;
  }
  drawView(tab);
}

function tabList(): HTMLElement {
  const list = h('div', { role: 'tablist', 'aria-label': 'Views', class: 'tabs' });
  for (const [t, label] of TABS) {
    const b = h('button', { type: 'button', role: 'tab', id: `tab-${t}`, 'aria-controls': `panel-${t}`, 'aria-selected': 'false', onclick: () => select(t) }, label);
    b.addEventListener('keydown', (e) => {
      const i = TABS.findIndex(([x]) => x === t);
      const d = e.key === 'ArrowRight' ? 1 : e.key === 'ArrowLeft' ? -1 : 0;
      if (d === 0) return;
      const next = TABS[(i + d + TABS.length) % TABS.length]![0];
      select(next);
      tabButtons.get(next)!.focus();
    });
    tabButtons.set(t, b);
    list.appendChild(b);
    panels.set(t, h('section', { role: 'tabpanel', id: `panel-${t}`, 'aria-labelledby': `tab-${t}`, tabindex: 0, hidden: true }));
  }
  return list;
}

const out = {
  summary: h('div', { id: 'summary' }),
  plan: h('div', { id: 'plan-out' }),
  check: h('div', { id: 'check-out' }),
  diff: h('div', { id: 'diff-out' }),
};
const lines = (from: number, to: number) => worker.call<string[]>({ type: 'lines', from, to });
const state = new StateView(h('div', { id: 'state' }), (q, view) => void readEntries(q, view), lines);

let reading = 0;
async function readEntries(q: { operatorId: string; keyGroups?: [number, number] }, view: StateView): Promise<void> {
  const mine = ++reading;
  view.list.reset(lines);
  view.status('reading…');
  busy('reading state entries…');
  worker.call<StateSummary[]>({ type: 'states', slot: 'a', operatorId: q.operatorId }).then((rows) => mine === reading && view.showStates(rows), fail);
  try {
    const r = await worker.call<{ count: number }>({ type: 'entries', slot: 'a', ...q }, (done) => {
      if (mine !== reading) return;
      view.list.setLength(done);
      view.status(`${done} entries so far…`);
    });
    if (mine !== reading) return;
    view.list.setLength(r.count);
    view.status(`${r.count} entr${r.count === 1 ? 'y' : 'ies'}${r.count ? ' — choose one to see it in full' : ''}`, r.count);
    busy('');
  } catch (e) {
    view.status('');
    fail(e);
  }
}

function download(format: 'binary' | 'json' | 'msgpack' | 'protobuf'): void {
  busy(`converting to ${format}…`);
  worker.call<Uint8Array>({ type: 'convert', slot: 'a', format }).then((bytes) => {
    const name = { binary: '_metadata', json: 'metadata.json', msgpack: 'metadata.msgpack', protobuf: 'metadata.pb' }[format];
    const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
    const a = h('a', { href: url, download: name });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    busy(`${name}: ${bytes.length} bytes`);
  }, fail);
}

/** Views drawn for the opened checkpoint so far: the others are drawn when first shown (big jobs have thousands of rows). */
const drawn = new Set<Tab>();

function showOpened(a: OpenAnswer): void {
  drawn.clear();
  renderSummary(out.summary, a);
  drawn.add('summary');
  performance.mark('ckpt:summary');
  fill(out.plan);
  fill(out.check);
}

/** Draws a view of the opened checkpoint the first time it is shown. */
function drawView(tab: Tab): void {
  const a = opened.a;
  if (!a || drawn.has(tab)) return;
  drawn.add(tab);
  const ops = a.summary.operators;
  if (tab === 'plan') {
    performance.mark('ckpt:plan-form');
    fill(
      panels.get('plan')!,
      planForm(ops, (parallelism) => {
        busy('planning…');
        worker.call<PlanAnswer>({ type: 'plan', slot: 'a', parallelism }).then((p) => {
          performance.mark('ckpt:plan-received');
          renderPlan(out.plan, p);
          performance.mark('ckpt:plan-drawn');
          busy('');
        }, fail);
      }),
      out.plan,
    );
  } else if (tab === 'state') state.show(ops);
}

async function openFiles(slot: Slot, files: PickedFile[]): Promise<void> {
  if (files.length === 0) return;
  performance.clearMarks();
  performance.mark('ckpt:open');
  busy(`reading ${files.length} file${files.length === 1 ? '' : 's'}…`);
  try {
    const a = await worker.call<OpenAnswer>({ type: 'open', slot, files }, (bytes) => {
      status.textContent = `reading _metadata: ${humanBytes(bytes)} summarized…`;
    });
    opened[slot] = a;
    if (slot === 'a') {
      showOpened(a);
      select('summary');
    } else select('diff');
    busy(`opened ${a.name} (${a.format})`);
    if (opened.a && opened.b) {
      const d = await worker.call<CheckpointDiff>({ type: 'diff' });
      renderDiff(out.diff, d);
    }
  } catch (e) {
    fail(e);
  }
}

function layout(): void {
  const tabs = tabList();
  append(
    document.body,
    h('header', {}, h('h1', {}, 'ckpt — checkpoint viewer'), h('p', {}, 'Flink checkpoints and savepoints, read in this page: nothing is uploaded, nothing leaves the machine.')),
    h('main', {}, h('section', { 'aria-label': 'Open' }, openArea('a', 'Open a checkpoint: drop it here, or pick it.')), status, errorBox, tabs, [...panels.values()]),
  );
  append(panels.get('summary')!, out.summary);
  fill(out.summary, h('p', {}, 'Nothing opened yet.'));
  append(
    panels.get('check')!,
    checkForm((job, allowNonRestoredState) => {
      busy('asking Flink’s rules…');
      worker.call<CheckAnswer>({ type: 'check', slot: 'a', job, allowNonRestoredState }).then((r) => (renderCheck(out.check, r), busy('')), fail);
    }),
    out.check,
  );
  append(panels.get('state')!, state.el);
  for (const t of ['plan', 'state'] as const) append(t === 'plan' ? panels.get(t)! : state.el, h('p', {}, 'Open a checkpoint first.'));
  append(panels.get('diff')!, openArea('b', 'Compare with a second checkpoint: drop it here, or pick it.'), out.diff);
  append(
    panels.get('download')!,
    h('p', {}, 'The opened checkpoint’s metadata in another form (every form converts back to the same _metadata bytes):'),
    h(
      'p',
      { class: 'downloads' },
      (['binary', 'json', 'msgpack', 'protobuf'] as const).map((f) => h('button', { type: 'button', id: `download-${f}`, onclick: () => download(f) }, f === 'binary' ? '_metadata' : f)),
    ),
  );
  select('summary');
}

layout();
