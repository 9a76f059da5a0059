import type { CheckpointDiff } from '@ckpt/format';
import { fill, h } from '../dom.js';

function fileList(title: string, files: string[], key: string): HTMLElement {
  const d = h('details', { class: 'files' }, h('summary', {}, `${title}: ${files.length}`), h('ul', {}, files.map((f) => h('li', { class: 'mono' }, f))));
  d.dataset.files = key;
  d.dataset.count = String(files.length);
  return d;
}

/** The diff of two opened checkpoints, as `ckpt diff` computes it. */
export function renderDiff(el: HTMLElement, d: CheckpointDiff): void {
  const changed = d.operators.filter((o) => o.change !== 'same');
  const rows = d.operators.map((o) => {
    const tr = h('tr', { class: `change ${o.change}` }, h('td', {}, o.change), h('td', { class: 'mono' }, o.operatorId), h('td', { class: 'name' }, o.uid ?? ''), h('td', {}, o.details.join('; ')));
    tr.dataset.change = o.change;
    tr.dataset.operatorId = o.operatorId;
    return tr;
  });
  fill(
    el,
    h('p', {}, `a: ${d.a} (checkpoint ${d.checkpointIds[0]}, format version ${d.versions[0]})`),
    h('p', {}, `b: ${d.b} (checkpoint ${d.checkpointIds[1]}, format version ${d.versions[1]})`),
    h('p', { id: 'diff-verdict' }, changed.length === 0 && d.files.onlyA.length === 0 && d.files.onlyB.length === 0 ? 'No difference in state.' : `${changed.length} operator${changed.length === 1 ? '' : 's'} differ.`),
    h(
      'table',
      { class: 'data', id: 'diff-table' },
      h('caption', {}, 'Operators by id'),
      h('thead', {}, h('tr', {}, ['change', 'operator id', 'uid', 'details'].map((c) => h('th', { scope: 'col' }, c)))),
      h('tbody', {}, rows),
    ),
    fileList('files only in a', d.files.onlyA, 'onlyA'),
    fileList('files only in b', d.files.onlyB, 'onlyB'),
    fileList('files in both', d.files.shared, 'shared'),
  );
}
