import type { Finding } from '@ckpt/restore';
import { h } from '../dom.js';

/** Flink's findings, one list item each, with Flink's message text. */
export function findingsList(findings: Finding[]): HTMLUListElement {
  return h(
    'ul',
    { class: 'findings' },
    findings.map((f) => {
      const li = h('li', { class: `finding ${f.severity}` }, h('strong', {}, `${f.severity} ${f.code}`), f.operatorId ? ` [${f.operatorId}]` : '', f.vertex ? ` (${f.vertex})` : '', ': ', f.message);
      li.dataset.severity = f.severity;
      li.dataset.code = f.code;
      return li;
    }),
  );
}

/** The verdict line: Flink would restore, or the exception it would throw. */
export function verdict(ok: boolean, error: Finding | null | undefined): HTMLElement {
  const p = h('p', { class: ok ? 'verdict ok' : 'verdict refused' }, ok ? 'Flink would restore this checkpoint into the job.' : `Flink would refuse: ${error?.exceptionClass ?? 'error'}: ${error?.message ?? ''}`);
  p.dataset.ok = String(ok);
  return p;
}
