import { humanBytes, type OperatorSummaryReport } from '@ckpt/format';
import { fill, h } from '../dom.js';
import type { PlanAnswer, PlanRows } from '../protocol.js';
import { findingsList, verdict } from './findings.js';

/** Rows of one vertex's subtasks (built when its section is first opened: plans can have 10⁵ subtasks). */
function subtaskRows(vertex: string, rows: PlanRows): HTMLTableElement {
  const body = h('tbody');
  for (let i = 0; i < rows.index.length; i++) {
    const [index, start, count, handles, files, bytes] = [rows.index[i]!, rows.keyGroupStart[i]!, rows.keyGroupCount[i]!, rows.handles[i]!, rows.files[i]!, rows.bytes[i]!];
    const last = start + count - 1;
    const tr = h('tr', { class: 'subtask' }, h('td', { class: 'num' }, index), h('td', {}, count === 0 ? '-' : `${start}–${last}`), h('td', { class: 'num' }, handles), h('td', { class: 'num' }, files), h('td', { class: 'num', title: `${bytes} bytes` }, humanBytes(bytes)));
    Object.assign(tr.dataset, { vertex, index: String(index), bytes, handles: String(handles), files: String(files), keyGroupCount: String(count) });
    if (count > 0) Object.assign(tr.dataset, { kgStart: String(start), kgEnd: String(last) });
    body.appendChild(tr);
  }
  return h('table', { class: 'data subtasks' }, h('thead', {}, h('tr', {}, ['subtask', 'key groups', 'handles', 'files', 'bytes'].map((c, i) => h('th', { scope: 'col', class: i === 1 ? undefined : 'num' }, c)))), body);
}

/** The plan's answer: per vertex its skew, key-group balance and advice, and its subtasks. */
export function renderPlan(el: HTMLElement, answer: PlanAnswer): void {
  if (!answer.ok) {
    fill(el, verdict(false, answer.error), findingsList(answer.findings));
    return;
  }
  let budget = 300; // rows drawn up front; other vertices draw when opened
  const sections = answer.vertices.map((v) => {
    const { vertex, subtasks, skew, advice } = v;
    const kg = v.keyGroupBalance;
    const even = advice?.evenParallelisms;
    const summary = h(
      'summary',
      {},
      h('strong', {}, vertex),
      ` — ${subtasks.index.length} subtask${subtasks.index.length === 1 ? '' : 's'}, ${humanBytes(v.bytes)}`,
      skew === undefined ? '' : `, skew ${skew.toFixed(2)} (max/mean bytes)`,
      kg ? `, key groups per subtask ${kg.min}–${kg.max}` : '',
    );
    const d = h(
      'details',
      { class: 'vertex' },
      summary,
      advice
        ? h(
            'ul',
            { class: 'advice' },
            even ? h('li', {}, `even key-group split at parallelism ${even.length > 16 ? `${even.slice(0, 16).join(', ')}, …` : even.join(', ')}`) : null,
            h('li', {}, `at most parallelism ${advice.maxRestorableParallelism}`),
            advice.notes.map((n) => h('li', {}, n)),
          )
        : null,
    );
    Object.assign(d.dataset, { vertex, bytes: v.bytes, ...(skew === undefined ? {} : { skew: String(skew) }), ...(kg ? { kgMin: String(kg.min), kgMax: String(kg.max) } : {}) });
    let drawn = false;
    const draw = () => {
      if (drawn) return;
      drawn = true;
      d.appendChild(subtaskRows(vertex, subtasks));
    };
    d.addEventListener('toggle', () => d.open && draw());
    if (BigInt(v.bytes) > 0n && budget >= subtasks.index.length) {
      budget -= subtasks.index.length;
      d.open = true;
      draw();
    }
    return d;
  });
  const total = h('p', { class: 'total' }, `Every new subtask together reads ${humanBytes(answer.totalBytes)} (${answer.totalBytes} bytes).`);
  total.dataset.totalBytes = answer.totalBytes;
  fill(el, verdict(true, null), total, sections);
}

/** The form: one parallelism for all, and one per operator (the job's vertex for it). */
export function planForm(ops: OperatorSummaryReport[], submit: (parallelism: Record<string, number>) => void): HTMLFormElement {
  const all = h('input', { type: 'number', min: 1, id: 'plan-all', inputmode: 'numeric' });
  const rows = ops.map((o) => {
    const input = h('input', { type: 'text', inputmode: 'numeric', pattern: '[0-9]*', size: 5, value: o.parallelism, 'aria-label': `new parallelism of ${o.uid ?? o.name ?? o.operatorId}`, class: 'plan-p' });
    input.dataset.operatorId = o.operatorId;
    return h('tr', {}, h('td', { class: 'name' }, o.uid ?? o.name ?? o.operatorId), h('td', { class: 'num' }, o.parallelism), h('td', { class: 'num' }, o.maxParallelism), h('td', {}, input));
  });
  all.addEventListener('input', () => {
    if (all.value !== '') for (const r of rows) r.querySelector('input')!.value = all.value;
  });
  const form = h(
    'form',
    { class: 'plan-form' },
    h('p', {}, h('label', { for: 'plan-all' }, 'New parallelism for every operator '), all),
    h(
      'table',
      { class: 'data' },
      h('caption', {}, 'Or per operator'),
      h('thead', {}, h('tr', {}, ['uid / name', 'stored', 'max parallelism', 'new parallelism'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows),
    ),
    h('button', { type: 'submit', id: 'plan-go' }, 'Plan the restore'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const parallelism: Record<string, number> = {};
    for (const i of Array.from(form.querySelectorAll<HTMLInputElement>('input.plan-p'))) if (i.value !== '') parallelism[i.dataset.operatorId!] = Number(i.value);
    submit(parallelism);
  });
  return form;
}
