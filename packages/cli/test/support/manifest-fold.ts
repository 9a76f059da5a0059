/**
 * `dump-state` lines in the shape of a generator manifest's `expected.keyed.keys`: key → state →
 * value (numbers as JSON numbers, maps as objects, TTL wrappers unwrapped); timers left out.
 */
export function foldKeyed(lines: string[]): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  const plain = (v: unknown): unknown =>
    typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : Array.isArray(v) ? v.map(plain) : v && typeof v === 'object' && 'value' in v && (v as { kind?: string }).kind === 'ttl' ? plain((v as { value: unknown }).value) : v;
  for (const l of lines) {
    const e = JSON.parse(l) as { key?: unknown; state: string; stateKind: string; userKey?: unknown; value: unknown };
    if (e.stateKind === 'PRIORITY_QUEUE' || e.key === undefined) continue;
    const row = (out[String(e.key)] ??= {});
    if (e.stateKind === 'MAP') ((row[e.state] ??= {}) as Record<string, unknown>)[String(e.userKey)] = plain(e.value);
    else row[e.state] = plain(e.value);
  }
  return out;
}
