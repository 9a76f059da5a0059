/**
 * Jazzer.js fuzz target (bundled to CommonJS by run.ts so Jazzer's require hook instruments the
 * decoders for coverage). The target is chosen by CKPT_FUZZ_TARGET; crashes are stored and the run
 * goes on, so one run finds more than one; counts go to the JSON file CKPT_FUZZ_STATS.
 */
import { writeFileSync } from 'node:fs';
import { installAllocationGuard } from './alloc-guard.js';
import { describeError, runGuarded, storeCrasher } from './crashers.js';
import { largestLengthField } from './lengths.js';
import { prepare, target } from './targets.js';

installAllocationGuard();
const t = target(process.env.CKPT_FUZZ_TARGET ?? '');
const statsFile = process.env.CKPT_FUZZ_STATS;
const stats = { target: t.name, inputs: 0, ok: 0, typed: 0, crashes: 0, newCrashers: 0, largestLength: 0, largestAllocation: 0 };
const ready = prepare();

function flush(): void {
  if (statsFile) writeFileSync(statsFile, JSON.stringify(stats));
}

export async function fuzz(data: Buffer): Promise<void> {
  await ready;
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length).slice();
  stats.inputs++;
  stats.largestLength = Math.max(stats.largestLength, largestLengthField(bytes));
  const o = await runGuarded(t, bytes);
  stats.largestAllocation = Math.max(stats.largestAllocation, o.largestAllocation);
  if (o.kind === 'crash') {
    stats.crashes++;
    if (storeCrasher(t.name, bytes, describeError(o.error))) stats.newCrashers++;
    flush();
  } else stats[o.kind]++;
  if ((stats.inputs & 255) === 0) flush();
}
