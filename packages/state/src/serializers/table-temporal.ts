import { StateError } from '../errors.js';
import type { LogicalType } from './table-types.js';

/**
 * SQL dates, times and timestamps as ISO-8601 strings: DATE `2023-11-14` (int days since the
 * epoch), TIME `22:13:20.123` (int milliseconds of the day), TIMESTAMP `2023-11-14T22:13:20.123`
 * (long epoch milliseconds plus nanoseconds of the millisecond), TIMESTAMP_LTZ the same instant
 * with a trailing `Z`. Fractions show the type's precision, and more digits only if the stored
 * value has them (nothing is dropped).
 */
const DAY = 86_400_000;

function fraction(nanosOfSecond: number, precision: number): string {
  let f = String(nanosOfSecond).padStart(9, '0');
  let keep = Math.max(precision, 0);
  while (keep < 9 && f.slice(keep).replace(/0/g, '') !== '') keep++;
  f = f.slice(0, keep);
  return f === '' ? '' : `.${f}`;
}

function iso(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) throw new StateError('BadValue', `epoch millisecond ${ms} is outside the date range`);
  return d.toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
}

/** `value` is days (DATE), millis of day (TIME) or epoch millis (timestamps); `nano` of the millisecond. */
export function toTemporal(t: LogicalType, value: bigint, nano: number): string {
  const p = t.precision ?? 0;
  switch (t.root) {
    case 'DATE':
      return iso(Number(value) * DAY).replace(/T.*$/, '');
    case 'TIME_WITHOUT_TIME_ZONE': {
      const ms = Number(value);
      return iso(ms).slice(11, 19) + fraction((ms % 1000) * 1_000_000, Math.min(p, 3));
    }
    default: {
      const ms = Number(value);
      const s = iso(ms);
      const msOfSecond = ((ms % 1000) + 1000) % 1000;
      const out = s.slice(0, s.indexOf('.')) + fraction(msOfSecond * 1_000_000 + nano, p);
      return t.root === 'TIMESTAMP_WITH_LOCAL_TIME_ZONE' ? `${out}Z` : out;
    }
  }
}

const RE = /^([+-]\d{6}|\d{4})-(\d\d)-(\d\d)(?:T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?Z?)?$/;
const TIME_RE = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$/;

/** Inverse of {@link toTemporal}: `{ value, nano }`. */
export function fromTemporal(t: LogicalType, v: unknown): { value: bigint; nano: number } {
  const fail = () => new StateError('BadValue', `cannot write ${String(v)} as ${t.root}`);
  if (typeof v !== 'string') throw fail();
  if (t.root === 'TIME_WITHOUT_TIME_ZONE') {
    const m = TIME_RE.exec(v);
    if (!m) throw fail();
    const frac = (m[4] ?? '').padEnd(9, '0');
    return { value: BigInt(((+m[1]! * 60 + +m[2]!) * 60 + +m[3]!) * 1000 + +frac.slice(0, 3)), nano: 0 };
  }
  const m = RE.exec(v);
  if (!m) throw fail();
  const day = Date.parse(`${m[1]}-${m[2]}-${m[3]}T00:00:00Z`);
  if (Number.isNaN(day)) throw fail();
  if (t.root === 'DATE') return { value: BigInt(Math.round(day / DAY)), nano: 0 };
  const frac = (m[7] ?? '').padEnd(9, '0');
  const ms = day + ((+(m[4] ?? 0) * 60 + +(m[5] ?? 0)) * 60 + +(m[6] ?? 0)) * 1000 + +frac.slice(0, 3);
  return { value: BigInt(ms), nano: +frac.slice(3) };
}
