import type { Finding, RestorePlan, SubtaskPlan } from '@ckpt/restore';
import { upgradeSection } from './upgrade.js';
import { humanBytes } from '../table.js';
import { esc } from './escape.js';
import { bytesByKind, REPORT_KINDS, type ReportModel } from './model.js';
import { cellBar, operatorBars } from './svg.js';

const STYLE = `
:root{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#222;background:#fff}
body{margin:0 auto;max-width:1200px;padding:16px 24px}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.15em;margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:4px}
h3{font-size:1em;margin:1.2em 0 .4em;display:inline-block}
details.vertex>summary{cursor:pointer}
code,.mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.source{color:#555;word-break:break-all}
dl.summary{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px}
dl.summary dt{color:#555}dl.summary dd{margin:0}
table{border-collapse:collapse;font-size:.88em;margin:.4em 0}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;vertical-align:middle}
th{background:#f6f6f6;cursor:pointer;user-select:none;white-space:nowrap}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.skewed td{background:#fdecea}tr.skewed td.bytes{color:#c0392b;font-weight:600}
svg.chart text{font-size:12px;fill:#333}svg.chart text.value{fill:#555}
.verdict{padding:8px 12px;border-radius:4px;font-weight:600}
.verdict.ok{background:#e8f5e9;color:#1b5e20}.verdict.refused{background:#fdecea;color:#b71c1c}
li.finding{margin:.3em 0}li.finding .sev{display:inline-block;min-width:5.5em;font-weight:600}
li.finding.error .sev,li.upgrade-finding.error .sev{color:#b71c1c}li.upgrade-finding{margin:.3em 0}li.upgrade-finding .sev{display:inline-block;min-width:5.5em;font-weight:600}li.upgrade-finding.warning .sev{color:#e65100}
li.finding.warning .sev{color:#e65100}li.finding.info .sev{color:#555}
.note{color:#555;font-size:.9em}
`;

// Sorting by a column header, and hiding the subtasks that are not skewed. Reads the DOM only.
const SCRIPT = `
document.querySelectorAll('table.sortable th').forEach(function(th,i){th.addEventListener('click',function(){
var tb=th.closest('table').tBodies[0],rows=Array.from(tb.rows),dir=th.dataset.dir==='asc'?-1:1;th.dataset.dir=dir>0?'asc':'desc';
var key=function(r){var c=r.cells[i];var v=c.dataset.sort!==undefined?c.dataset.sort:c.textContent;var n=Number(v);return v!==''&&!isNaN(n)?n:v;};
rows.sort(function(a,b){var x=key(a),y=key(b);return (x<y?-1:x>y?1:0)*dir;});rows.forEach(function(r){tb.appendChild(r);});});});
var t=document.getElementById('only-skewed');if(t)t.addEventListener('change',function(){
document.querySelectorAll('tr.subtask').forEach(function(r){r.hidden=t.checked&&!r.classList.contains('skewed');});});
`;

/** Content-Security-Policy of the report: nothing may be loaded from anywhere. */
const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'";

function num(v: bigint | number | string, text: string = String(v)): string {
  return `<td class="num" data-sort="${esc(String(v))}">${esc(text)}</td>`;
}

function bytesCell(v: bigint, cls = ''): string {
  return `<td class="num${cls ? ` ${cls}` : ''}" data-sort="${v}" title="${v} bytes">${esc(humanBytes(v))}</td>`;
}

function summarySection(m: ReportModel): string {
  const s = m.summary;
  const subtasks = s.operators.reduce((n, o) => n + o.subtasks, 0);
  const rows: [string, string, string][] = [
    ['checkpoint-id', 'checkpoint id', s.checkpointId],
    ['version', 'format version', String(s.version)],
    ['kind', 'kind', s.type],
    ['metadata-bytes', '_metadata size', s.byteLength === undefined ? '-' : `${s.byteLength} bytes`],
    ['sha256', '_metadata SHA-256', s.sha256 ?? '-'],
    ['total-state', 'total state', `${humanBytes(s.totalStateSize)} (${s.totalStateSize} bytes)`],
    ['operators', 'operators', String(s.operators.length)],
    ['subtasks', 'subtask states', String(subtasks)],
    ['files', 'files referenced', String(m.filesReferenced)],
    ['master-states', 'master states', s.masterStates.length ? s.masterStates.map((x) => `${x.name} (v${x.version}, ${x.bytes} B)`).join(', ') : 'none'],
  ];
  const dl = rows.map(([k, label, v]) => `<dt>${esc(label)}</dt><dd data-field="${k}">${esc(v)}</dd>`).join('');
  return `<section id="summary"><h2>Checkpoint</h2><dl class="summary">${dl}</dl></section>`;
}

function operatorsSection(m: ReportModel): string {
  const ops = m.summary.operators;
  const body = ops
    .map((o) => {
      const k = bytesByKind(o);
      const total = REPORT_KINDS.reduce((n, x) => n + k[x], 0n);
      const attrs = REPORT_KINDS.map((x) => ` data-${x}="${k[x]}"`).join('');
      return (
        `<tr class="operator" data-operator-id="${esc(o.operatorId)}" data-total="${total}"${attrs}>` +
        `<td class="mono">${esc(o.operatorId)}</td><td>${esc(o.uid ?? '')}</td><td>${esc(o.name ?? '')}</td>` +
        num(o.parallelism) + num(o.maxParallelism) +
        num(o.subtasksWithState, o.fullyFinished ? 'finished' : `${o.subtasksWithState}/${o.subtasks}`) +
        REPORT_KINDS.map((x) => bytesCell(k[x])).join('') + bytesCell(total) + '</tr>'
      );
    })
    .join('');
  const head = ['operator id', 'uid', 'name', 'par', 'max par', 'with state', ...REPORT_KINDS, 'total'];
  const numeric = (i: number) => i >= 3;
  return (
    `<section id="operators"><h2>Operators and state size by kind</h2>` +
    (ops.length ? operatorBars(ops) : '<p class="note">No operator state stored.</p>') +
    `<table class="sortable" id="operator-table"><thead><tr>${head.map((h, i) => `<th${numeric(i) ? ' class="num"' : ''}>${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table></section>`
  );
}

/** A subtask is highlighted when it reads more than 1.25 × the mean bytes of its vertex. */
function isSkewed(s: SubtaskPlan, vertexTotal: bigint, vertexSubtasks: number): boolean {
  return vertexTotal > 0n && s.bytes * BigInt(vertexSubtasks) * 4n > vertexTotal * 5n;
}

function vertexPlan(plan: RestorePlan, vertex: string): string {
  const mine = plan.subtasks.filter((s) => s.vertex === vertex);
  const total = mine.reduce((n, s) => n + s.bytes, 0n);
  const max = mine.reduce((m, s) => (s.bytes > m ? s.bytes : m), 0n);
  const kg = plan.keyGroupBalance[vertex];
  const advice = plan.advice.find((a) => a.vertex === vertex);
  const rows = mine
    .map((s) => {
      const skewed = isSkewed(s, total, mine.length);
      const end = s.keyGroups.start + s.keyGroups.count - 1;
      const range = s.keyGroups.count === 0 ? '-' : `${s.keyGroups.start}–${end}`;
      const files = new Set(s.operators.flatMap((o) => o.files.map((f) => f.file))).size;
      const kgAttrs = s.keyGroups.count === 0 ? '' : ` data-kg-start="${s.keyGroups.start}" data-kg-end="${end}"`;
      return (
        `<tr class="subtask${skewed ? ' skewed' : ''}" data-vertex="${esc(vertex)}" data-index="${s.index}" data-bytes="${s.bytes}" data-skewed="${skewed}"${kgAttrs}>` +
        num(s.index) + `<td class="num" data-sort="${s.keyGroups.start}">${range}</td>` + num(s.keyGroups.count) + num(s.handles) + num(files) +
        bytesCell(s.bytes, 'bytes') + `<td>${cellBar(s.bytes, max, skewed)}</td></tr>`
      );
    })
    .join('');
  const skew = plan.skew[vertex];
  const facts = [`${humanBytes(total)} in ${mine.length} subtasks`];
  if (skew !== undefined) facts.unshift(`skew ${skew.toFixed(2)} (max/mean bytes)`);
  if (kg) facts.push(`key groups per subtask ${kg.min}..${kg.max}`);
  const even = advice?.evenParallelisms;
  const notes =
    (even ? `<p class="note">Even key-group split at parallelism ${esc(even.slice(0, 16).join(', '))}${even.length > 16 ? ', …' : ''}; at most ${advice!.maxRestorableParallelism}.</p>` : '') +
    (advice?.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join('');
  // vertices that read nothing start collapsed; their rows are there for who opens them
  return (
    `<details class="vertex" data-vertex="${esc(vertex)}"${skew !== undefined ? ` data-skew="${skew}"` : ''}${total > 0n ? ' open' : ''}><summary><h3>${esc(vertex)} <span class="note">${esc(facts.join('; '))}</span></h3></summary>${notes}` +
    `<table class="sortable plan"><thead><tr><th class="num">subtask</th><th class="num">key groups</th><th class="num">count</th><th class="num">handles</th><th class="num">files</th><th class="num">bytes</th><th></th></tr></thead><tbody>${rows}</tbody></table></details>`
  );
}

function planSection(m: ReportModel): string {
  const head = `<section id="plan"><h2>Rescale plan</h2><p>For ${esc(m.target)}: what every new subtask reads on restore. Subtasks reading more than 1.25 × the mean of their vertex are highlighted.</p>`;
  if (!m.plan) return `${head}<p class="verdict refused">No plan: Flink would refuse this restore (see the findings).</p></section>`;
  const vertices = [...new Set(m.plan.subtasks.map((s) => s.vertex))];
  const toggle = '<label><input type="checkbox" id="only-skewed"> only highlighted subtasks</label>';
  return `${head}${toggle}<p>Total read: <span data-field="plan-total">${esc(humanBytes(m.plan.totalBytes))}</span></p>${vertices.map((v) => vertexPlan(m.plan!, v)).join('')}</section>`;
}

function finding(f: Finding): string {
  const where = [f.vertex ? `vertex ${f.vertex}` : '', f.operatorId ? `operator ${f.operatorId}` : ''].filter(Boolean).join(', ');
  return (
    `<li class="finding ${esc(f.severity)}" data-severity="${esc(f.severity)}" data-code="${esc(f.code)}"${f.operatorId ? ` data-operator-id="${esc(f.operatorId)}"` : ''}>` +
    `<span class="sev">${esc(f.severity)}</span> <code>${esc(f.code)}</code>${where ? ` <span class="note">(${esc(where)})</span>` : ''}: ` +
    `${f.exceptionClass ? `<code>${esc(f.exceptionClass)}</code>: ` : ''}${esc(f.message)}</li>`
  );
}

function findingsSection(m: ReportModel): string {
  const v = m.verdict;
  const banner = v.ok
    ? '<p class="verdict ok" id="verdict" data-ok="true">OK: Flink would restore this checkpoint into the job.</p>'
    : `<p class="verdict refused" id="verdict" data-ok="false">REFUSED: ${esc(v.error?.exceptionClass ?? 'error')}: ${esc(v.error?.message ?? '')}</p>`;
  const list = v.findings.length ? `<ul class="findings">${v.findings.map(finding).join('')}</ul>` : '<p class="note">No findings.</p>';
  return `<section id="findings"><h2>Validation (Flink's verdict for ${esc(m.target)})</h2>${banner}${list}</section>`;
}

/** The whole report as one self-contained HTML document (inline CSS, JS and SVG; loads nothing). */
export function renderReport(m: ReportModel): string {
  const title = `ckpt report: checkpoint ${m.summary.checkpointId}`;
  return (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">' +
    `<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${esc(title)}</title><style>${STYLE}</style></head>` +
    `<body><header><h1>${esc(title)}</h1><p class="source mono">${esc(m.source)}</p></header>` +
    summarySection(m) + operatorsSection(m) + planSection(m) + findingsSection(m) + upgradeSection(m.upgrade) +
    `<footer><p class="note">Written by ckpt report.</p></footer><script>${SCRIPT}</script></body></html>\n`
  );
}
