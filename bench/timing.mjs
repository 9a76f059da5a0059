// The one timing loop of the bench scripts: warm-up calls, then timed rounds; min and median in ms.
/** Milliseconds since `t0` (a `process.hrtime.bigint()`). */
export const elapsedMs = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;

export function summary(ms) {
  ms.sort((a, b) => a - b);
  return { minMs: ms[0], medianMs: ms[Math.floor(ms.length / 2)] };
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

/**
 * Times several async contenders against each other, interleaved so that machine drift (other
 * load, GC, server caches warming) hits all of them alike: the same `warmup` calls each, then
 * `rounds` rounds in which every contender runs once, the order rotating each round (A B, B A, …).
 * Returns one {minMs, medianMs, cpuMinMs, cpuMedianMs} per contender, in input order; the cpu
 * figures are this process's user + system time per call (what a contender costs here, whatever
 * else the machine is doing; a server in another process is not in it).
 */
export async function timeInterleaved(fns, { rounds, warmup }) {
  for (let i = 0; i < warmup; i++) for (const fn of fns) await fn();
  const ms = fns.map(() => []);
  const cpu = fns.map(() => []);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < fns.length; k++) {
      const j = (k + r) % fns.length;
      const c0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await fns[j]();
      ms[j].push(elapsedMs(t0));
      const c = process.cpuUsage(c0);
      cpu[j].push((c.user + c.system) / 1000);
    }
  }
  return ms.map((m, j) => {
    const c = summary(cpu[j]);
    return { ...summary(m), cpuMinMs: c.minMs, cpuMedianMs: c.medianMs };
  });
}
