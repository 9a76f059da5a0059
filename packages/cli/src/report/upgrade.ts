import { operatorLabel, type Finding, type UpgradeReport } from '@ckpt/upgrade';
import { esc } from './escape.js';

function item(f: Finding): string {
  const where = [f.operator ? `operator ${operatorLabel(f.operator)}` : '', f.state !== undefined ? `state ${f.state}` : '', f.serializer ?? ''].filter(Boolean).join(', ');
  const sev = f.severity === 'warning' ? 'warning' : 'error';
  return (
    `<li class="upgrade-finding ${sev}" data-severity="${esc(f.severity)}" data-code="${esc(f.rule)}"${f.operator ? ` data-operator-id="${esc(f.operator.operatorId)}"` : ''}>` +
    `<span class="sev">${esc(f.severity)}</span> <code>${esc(f.rule)}</code>${where ? ` <span class="note">(${esc(where)})</span>` : ''}: ${esc(f.message)}` +
    `${f.flinkMessage ? `<br>Flink: <code>${esc(f.flinkMessage)}</code>` : ''}<br>Do: ${esc(f.action)}</li>`
  );
}

/** The `ckpt upgrade-check` findings for one target release, as a report section. */
export function upgradeSection(r: UpgradeReport | undefined): string {
  if (!r) return '';
  const ok = !r.blocking;
  const banner =
    `<p class="verdict ${ok ? 'ok' : 'refused'}" id="upgrade-verdict" data-verdict="${esc(r.verdict)}">` +
    `Flink ${esc(r.target)}: ${esc(r.verdict)} (written by Flink ${esc(r.writers.label)}: ${esc(r.writers.evidence.join(', '))})</p>`;
  const list = r.findings.length ? `<ul class="findings">${r.findings.map(item).join('')}</ul>` : '<p class="note">No findings.</p>';
  return `<section id="upgrade"><h2>Upgrade to Flink ${esc(r.target)}</h2>${banner}${list}</section>`;
}
