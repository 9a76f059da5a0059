import { fill, h } from '../dom.js';
import type { CheckAnswer } from '../protocol.js';
import { findingsList, verdict } from './findings.js';

/** The form for Flink's verdict: a pasted job (ckpt job JSON, Flink's REST job plan, uid=parallelism lines). */
export function checkForm(submit: (job: string, allowNonRestoredState: boolean) => void): HTMLFormElement {
  const text = h('textarea', { id: 'check-job', rows: 10, cols: 80, spellcheck: 'false', placeholder: '{"vertices": [...]}  or  {"plan": {...}}  or  my-uid=4' });
  const allow = h('input', { type: 'checkbox', id: 'check-allow' });
  const form = h(
    'form',
    { class: 'check-form' },
    h('p', {}, h('label', { for: 'check-job' }, 'The new job: ckpt job JSON, Flink’s REST job plan (GET /jobs/:id/plan), or uid=parallelism lines')),
    text,
    h('p', {}, allow, ' ', h('label', { for: 'check-allow' }, 'allow non-restored state (--allowNonRestoredState)')),
    h('button', { type: 'submit', id: 'check-go' }, 'Ask Flink’s rules'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit(text.value, allow.checked);
  });
  return form;
}

export function renderCheck(el: HTMLElement, a: CheckAnswer): void {
  const v = verdict(a.ok, a.error);
  v.id = 'check-verdict';
  fill(el, v, findingsList(a.findings.filter((f) => f !== a.error && !(a.error && f.code === a.error.code && f.message === a.error.message))));
}
