// The one timing loop of the bench scripts: warm-up calls, then timed rounds; min and median in ms.
const elapsedMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

export function summary(ms) {
  ms.sort((a, b) => a - b);
  return { minMs: ms[0], medianMs: ms[Math.floor(ms.length / 2)] };
}

/** Times a synchronous `fn` (no await between rounds, so sub-millisecond cases stay exact). */
export function timeSync(fn, { rounds, warmup }) {
  for (let i = 0; i < warmup; i++) fn();
  const ms = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(elapsedMs(t0));
  }
  return summary(ms);
}

/** Times an async `fn`. */
export async function timeAsync(fn, { rounds, warmup }) {
  for (let i = 0; i < warmup; i++) await fn();
  const ms = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(elapsedMs(t0));
  }
  return summary(ms);
}
