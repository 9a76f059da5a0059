import { humanBytes, type MetadataSummaryReport, type OperatorSummaryReport } from '@ckpt/format';
import { fill, h } from '../dom.js';
import type { OpenAnswer } from '../protocol.js';

/** State kinds shown as columns (the report's grouping of Flink's seven size kinds). */
export const KIND_COLUMNS = [
  { key: 'keyed', label: 'keyed', of: (o: OperatorSummaryReport) => BigInt(o.stateSize.managedKeyed) },
  { key: 'rawKeyed', label: 'raw keyed', of: (o: OperatorSummaryReport) => BigInt(o.stateSize.rawKeyed) },
  {
    key: 'operator',
    label: 'operator',
    of: (o: OperatorSummaryReport) => BigInt(o.stateSize.managedOperator) + BigInt(o.stateSize.rawOperator) + BigInt(o.stateSize.legacy),
  },
  { key: 'channel', label: 'channel', of: (o: OperatorSummaryReport) => BigInt(o.stateSize.inputChannel) + BigInt(o.stateSize.resultSubpartition) },
  { key: 'coordinator', label: 'coordinator', of: (o: OperatorSummaryReport) => BigInt(o.coordinatorStateBytes) },
  { key: 'total', label: 'total', of: (o: OperatorSummaryReport) => BigInt(o.stateSize.total) + BigInt(o.coordinatorStateBytes) },
] as const;

type SortKey = 'operatorId' | 'name' | 'parallelism' | 'maxParallelism' | 'subtasks' | (typeof KIND_COLUMNS)[number]['key'];
const label = (o: OperatorSummaryReport) => o.uid ?? o.name ?? '';

const COLUMNS: { key: SortKey; label: string; numeric: boolean; value: (o: OperatorSummaryReport) => string | bigint | number }[] = [
  { key: 'operatorId', label: 'operator id', numeric: false, value: (o) => o.operatorId },
  { key: 'name', label: 'uid / name', numeric: false, value: label },
  { key: 'parallelism', label: 'parallelism', numeric: true, value: (o) => o.parallelism },
  { key: 'maxParallelism', label: 'max parallelism', numeric: true, value: (o) => o.maxParallelism },
  { key: 'subtasks', label: 'subtasks with state', numeric: true, value: (o) => o.subtasksWithState },
  ...KIND_COLUMNS.map((k) => ({ key: k.key, label: k.label, numeric: true, value: k.of })),
];

function cells(o: OperatorSummaryReport): HTMLTableCellElement[] {
  const sub = o.fullyFinished ? 'finished' : `${o.subtasksWithState}/${o.subtasks}${o.finishedSubtasks ? ` (${o.finishedSubtasks} finished)` : ''}`;
  return [
    h('td', { class: 'mono' }, o.operatorId),
    h('td', { class: 'name' }, label(o)),
    h('td', { class: 'num' }, o.parallelism),
    h('td', { class: 'num' }, o.maxParallelism),
    h('td', { class: 'num' }, sub),
    ...KIND_COLUMNS.map((k) => {
      const v = k.of(o);
      return h('td', { class: 'num', title: `${v} bytes` }, v === 0n ? '-' : humanBytes(v));
    }),
  ];
}

/** The sortable operators table: a button per column header (keyboard: Tab to it, Enter or Space). */
export function operatorsTable(ops: OperatorSummaryReport[]): HTMLTableElement {
  let sortKey: SortKey | undefined;
  let ascending = true;
  const body = h('tbody');
  const heads = COLUMNS.map((c) => {
    const th = h('th', { scope: 'col', class: c.numeric ? 'num' : undefined, 'aria-sort': 'none' });
    th.appendChild(h('button', { type: 'button', class: 'sort', 'data-sort': c.key, onclick: () => sortBy(c.key) }, c.label));
    return th;
  });
  const render = () => {
    const col = COLUMNS.find((c) => c.key === sortKey);
    const rows = ops.map((o, i) => ({ o, i }));
    if (col) {
      rows.sort((x, y) => {
        const a = col.value(x.o);
        const b = col.value(y.o);
        const d = a < b ? -1 : a > b ? 1 : 0;
        return (ascending ? d : -d) || x.i - y.i;
      });
    }
    fill(
      body,
      rows.map(({ o }) => {
        const tr = h('tr', { class: 'operator' }, cells(o));
        // exact values for whoever reads the page programmatically (tests, copy-paste)
        tr.dataset.operatorId = o.operatorId;
        tr.dataset.parallelism = String(o.parallelism);
        tr.dataset.maxParallelism = String(o.maxParallelism);
        tr.dataset.subtasks = String(o.subtasks);
        tr.dataset.subtasksWithState = String(o.subtasksWithState);
        for (const k of KIND_COLUMNS) tr.dataset[k.key] = k.of(o).toString();
        return tr;
      }),
    );
    COLUMNS.forEach((c, i) => heads[i]!.setAttribute('aria-sort', c.key === sortKey ? (ascending ? 'ascending' : 'descending') : 'none'));
  };
  const sortBy = (k: SortKey) => {
    ascending = sortKey === k ? !ascending : true;
    sortKey = k;
    render();
  };
  render();
  return h('table', { id: 'operators', class: 'data' }, h('caption', {}, `Operators (${ops.length}) — choose a column header to sort`), h('thead', {}, h('tr', {}, heads)), body);
}

function field(name: string, key: string, value: string | number): HTMLElement[] {
  return [h('dt', {}, name), h('dd', { 'data-field': key }, String(value))];
}

/** The summary view: what the checkpoint is, and one row per operator. */
export function renderSummary(el: HTMLElement, opened: OpenAnswer): void {
  const s: MetadataSummaryReport = opened.summary;
  const master = s.masterStates.length ? s.masterStates.map((m) => `${m.name} (v${m.version}, ${m.bytes} B)`).join(', ') : 'none';
  fill(
    el,
    h(
      'dl',
      { class: 'facts' },
      field('opened', 'file', opened.name),
      field('read as', 'format', opened.format),
      field('format version', 'version', s.version),
      field('checkpoint id', 'checkpoint-id', s.checkpointId),
      field('type', 'kind', s.type),
      s.byteLength === undefined ? null : field('size', 'byte-length', `${s.byteLength} bytes`),
      s.sha256 === undefined ? null : field('SHA-256', 'sha256', s.sha256),
      field('master states', 'master-states', master),
      field('operators', 'operators', s.operators.length),
      field('total state', 'total-state', `${humanBytes(s.totalStateSize)} (${s.totalStateSize} bytes)`),
      field('state files picked', 'files', opened.files),
    ),
    // wide jobs scroll sideways inside their own region (reachable by keyboard), not the page
    h('div', { class: 'scroll', role: 'region', 'aria-label': 'operators', tabindex: 0 }, operatorsTable(s.operators)),
  );
}
