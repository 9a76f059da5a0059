import { humanBytes } from '../table.js';
import { esc } from './escape.js';
import { bytesByKind, REPORT_KINDS, type ReportKind } from './model.js';
import type { OperatorSummaryReport as OperatorSummary } from '@ckpt/format';

const KIND_COLORS: Record<ReportKind, string> = {
  keyed: '#3b73b9',
  operator: '#e08a2c',
  channel: '#5aa05a',
  coordinator: '#9a5ab4',
  other: '#8c8c8c',
};

const ROW = 22;
const LABEL = 260;
const BAR = 520;

/** Fraction of `max` as a width in [0, width]; non-zero values get at least one pixel. */
function scale(v: bigint, max: bigint, width: number): number {
  if (max === 0n || v === 0n) return 0;
  return Math.max(1, (Number(v) / Number(max)) * width);
}

function shorten(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

/** One stacked bar per operator (state size by kind), scaled to the largest operator. */
export function operatorBars(ops: OperatorSummary[]): string {
  const rows = ops.map((o) => ({ o, kinds: bytesByKind(o) }));
  const totals = rows.map((r) => REPORT_KINDS.reduce((n, k) => n + r.kinds[k], 0n));
  const max = totals.reduce((m, t) => (t > m ? t : m), 0n);
  const height = rows.length * ROW + 30;
  const parts: string[] = [];
  rows.forEach(({ o, kinds }, i) => {
    const y = i * ROW;
    const label = o.uid ?? o.name ?? o.operatorId;
    parts.push(`<text x="${LABEL - 8}" y="${y + 15}" text-anchor="end" class="label"><title>${esc(o.operatorId)}</title>${esc(shorten(label, 36))}</text>`);
    let x = LABEL;
    for (const k of REPORT_KINDS) {
      const w = scale(kinds[k], max, BAR);
      if (w === 0) continue;
      parts.push(
        `<rect x="${x.toFixed(1)}" y="${y + 3}" width="${w.toFixed(1)}" height="${ROW - 6}" fill="${KIND_COLORS[k]}" data-kind="${k}"><title>${esc(label)}: ${k} ${esc(humanBytes(kinds[k]))} (${kinds[k]} bytes)</title></rect>`,
      );
      x += w;
    }
    parts.push(`<text x="${(x + 6).toFixed(1)}" y="${y + 15}" class="value">${esc(humanBytes(totals[i]!))}</text>`);
  });
  const legendY = rows.length * ROW + 12;
  REPORT_KINDS.forEach((k, i) => {
    const x = LABEL + i * 105;
    parts.push(`<rect x="${x}" y="${legendY}" width="12" height="12" fill="${KIND_COLORS[k]}"/><text x="${x + 16}" y="${legendY + 11}" class="legend">${k}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-label="state size per operator by kind" width="${LABEL + BAR + 90}" height="${height}" viewBox="0 0 ${LABEL + BAR + 90} ${height}">${parts.join('')}</svg>`;
}

/** A small inline bar for a table cell: `v` relative to `max`. */
export function cellBar(v: bigint, max: bigint, skewed: boolean): string {
  const w = scale(v, max, 160);
  return `<svg xmlns="http://www.w3.org/2000/svg" class="cellbar" width="160" height="10" viewBox="0 0 160 10" aria-hidden="true"><rect x="0" y="1" width="160" height="8" fill="#eee"/><rect x="0" y="1" width="${w.toFixed(1)}" height="8" fill="${skewed ? '#c0392b' : KIND_COLORS.keyed}"/></svg>`;
}
