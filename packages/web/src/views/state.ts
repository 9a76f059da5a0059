import type { OperatorSummaryReport } from '@ckpt/format';
import type { StateSummary } from '@ckpt/state';
import { fill, h } from '../dom.js';
import { VirtualList, type LineSource } from '../virtual-list.js';

export interface EntriesQuery {
  operatorId: string;
  keyGroups?: [number, number];
}

/** `a` or `a-b` (inclusive key groups); undefined for an empty field; an Error for anything else. */
export function parseKeyGroups(text: string): [number, number] | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  const m = /^(\d+)(?:\s*[-–]\s*(\d+))?$/.exec(t);
  if (!m) throw new Error(`key groups: expected a number or a range a-b, got “${t}”`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw new Error(`key groups ${t}: the range ends before it starts`);
  return [a, b];
}

/**
 * The state browser: pick an operator (and key groups), read its entries in the worker; they
 * stream into a virtualized list (one JSON line each); a chosen entry is shown in full.
 */
export class StateView {
  readonly list: VirtualList;
  private readonly detail = h('pre', { class: 'entry-detail', id: 'entry-detail', 'aria-live': 'polite' });
  private readonly count = h('p', { id: 'entry-count', role: 'status' });
  private readonly states = h('div', { id: 'states' });

  constructor(
    readonly el: HTMLElement,
    private readonly read: (q: EntriesQuery, view: StateView) => void,
    source: LineSource,
  ) {
    this.list = new VirtualList('state entries, one JSON line each', source, (i, line) => {
      let pretty = line;
      try {
        pretty = JSON.stringify(JSON.parse(line), null, 2);
      } catch {
        /* shown as it is */
      }
      this.detail.textContent = `entry ${i + 1}\n${pretty}`;
    });
  }

  show(ops: OperatorSummaryReport[]): void {
    const select = h(
      'select',
      { id: 'state-operator' },
      ops.map((o) => {
        const opt = h('option', { value: o.operatorId }, `${o.uid ?? o.name ?? o.operatorId}${o.uid || o.name ? ` (${o.operatorId.slice(0, 8)}…)` : ''}`);
        return opt;
      }),
    );
    const withState = ops.find((o) => BigInt(o.stateSize.managedKeyed) > 0n) ?? ops.find((o) => BigInt(o.stateSize.total) > 0n);
    if (withState) select.value = withState.operatorId;
    const kg = h('input', { id: 'state-key-groups', type: 'text', placeholder: 'all', inputmode: 'numeric', size: 10 });
    const error = h('p', { class: 'error', role: 'alert' });
    const form = h(
      'form',
      { class: 'state-form' },
      h('label', { for: 'state-operator' }, 'Operator '),
      select,
      ' ',
      h('label', { for: 'state-key-groups' }, 'Key groups (a or a-b) '),
      kg,
      ' ',
      h('button', { type: 'submit', id: 'state-go' }, 'Read entries'),
    );
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      error.textContent = '';
      try {
        const keyGroups = parseKeyGroups(kg.value);
        this.read({ operatorId: select.value, ...(keyGroups ? { keyGroups } : {}) }, this);
      } catch (x) {
        error.textContent = (x as Error).message;
      }
    });
    this.list.reset(this.list.source);
    this.detail.textContent = '';
    this.count.textContent = '';
    fill(this.states);
    fill(this.el, form, error, this.states, this.count, this.list.element, this.detail);
  }

  /** The operator's states (as `ckpt dump-state --summary` lists them). */
  showStates(rows: StateSummary[]): void {
    const ser = (x: StateSummary['keySerializer']) => (x ? h('span', { title: x.class }, x.type) : '-');
    fill(
      this.states,
      h(
        'table',
        { class: 'data', id: 'states-table' },
        h('caption', {}, `States (${rows.length})`),
        h('thead', {}, h('tr', {}, ['state', 'of', 'kind', 'key', 'namespace', 'value', 'entries', 'bytes', 'subtasks'].map((c, i) => h('th', { scope: 'col', class: i === 6 || i === 7 ? 'num' : undefined }, c)))),
        h(
          'tbody',
          {},
          rows.map((r) => {
            const tr = h(
              'tr',
              { class: 'state' },
              h('td', { class: 'name' }, r.state),
              h('td', {}, r.summary),
              h('td', {}, r.kind),
              h('td', {}, ser(r.keySerializer)),
              h('td', {}, ser(r.namespaceSerializer)),
              h('td', {}, ser(r.valueSerializer)),
              h('td', { class: 'num' }, r.entries),
              h('td', { class: 'num' }, r.bytes === null ? '-' : r.bytes),
              h('td', {}, r.subtasks.join(', ')),
            );
            Object.assign(tr.dataset, { state: r.state, entries: String(r.entries), bytes: String(r.bytes) });
            return tr;
          }),
        ),
      ),
    );
  }

  status(text: string, done?: number): void {
    this.count.textContent = text;
    if (done !== undefined) this.count.dataset.count = String(done);
    else delete this.count.dataset.count;
  }
}
