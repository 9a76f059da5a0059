// ckpt's side of bench/assign.mjs, in its own process (so its peak RSS is the assignment's, as the
// Flink side's is its JVM's):
//   node bench/assign-ckpt.mjs DIR ROUNDS WARMUP PARTS   (DIR holds _metadata and job.json)
// Decodes DIR/_metadata (not timed), splits the job's vertices into PARTS consecutive groups (whole
// chains) exactly as conformance's AssignBench does, and times `assignStates` over every group per
// round (sum); WARMUP assignments of the first group come first. After each assignment the handles
// it assigned are counted (not timed) and the result is dropped. Prints one JSON line (with
// --expose-gc also the heap after loading and with one part's result alive).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeMetadata } from '../packages/format/dist/bundle/index.js';
import { assignStates, normalizeJob } from '../packages/restore/dist/bundle/index.js';
import { elapsedMs, summary } from './timing.mjs';

/** The job's vertices in `parts` consecutive groups, each with the stored states of its operators. */
export function splitJob(meta, desc, parts) {
  const byId = new Map(meta.operators.map((o) => [o.operatorId, o]));
  const n = desc.vertices.length;
  const k = Math.max(1, Math.min(parts, n));
  return Array.from({ length: k }, (_, p) => {
    const vertices = desc.vertices.slice(Math.floor((p * n) / k), Math.floor(((p + 1) * n) / k));
    const operators = vertices.flatMap((v) => v.operators.map((id) => byId.get(id)).filter((o) => o !== undefined));
    return { vertices, operators };
  });
}

/** The checksum both sides print: what the assignment handed to the new subtasks. */
export function countAssigned(assignment) {
  const c = { restoredSubtasks: 0, operatorSubtaskStates: 0, keyedHandles: 0, operatorHandles: 0, channelHandles: 0 };
  for (const v of assignment.vertices) {
    for (const s of v.subtasks) {
      if (s.restore === null) continue;
      c.restoredSubtasks++;
      for (const o of s.restore.operators) {
        const keyed = o.managedKeyedState.length + o.rawKeyedState.length;
        const op = o.managedOperatorState.length + o.rawOperatorState.length;
        const ch = o.inputChannelState.length + o.resultSubpartitionState.length;
        if (keyed + op + ch > 0) c.operatorSubtaskStates++;
        c.keyedHandles += keyed;
        c.operatorHandles += op;
        c.channelHandles += ch;
      }
    }
  }
  return c;
}

function main([dir, rounds, warmup, parts]) {
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(dir, '_metadata'))));
  const desc = JSON.parse(readFileSync(join(dir, 'job.json'), 'utf8'));
  const groups = splitJob(meta, desc, Number(parts)).map((g) => ({
    meta: { ...meta, operators: g.operators },
    graph: normalizeJob({ ...desc, vertices: g.vertices, checkpointPointer: `file:${dir}` }),
  }));
  const assign = (g) => {
    const a = assignStates(g.meta, g.graph);
    if (!a.ok) throw new Error(`ckpt refuses the bench case: ${a.error.message}`);
    return a;
  };
  // heap after a full GC (when node runs with --expose-gc): after loading, and with one part's result alive
  const heapMiB = () => (globalThis.gc ? (globalThis.gc(), Math.round(process.memoryUsage().heapUsed / 2 ** 20)) : undefined);
  const heapLoadedMiB = heapMiB();
  let heapOnePartAssignedMiB;
  for (let w = 0; w < Number(warmup); w++) assign(groups[0]);
  const ms = [];
  let counts;
  for (let r = 0; r < Number(rounds); r++) {
    const total = { restoredSubtasks: 0, operatorSubtaskStates: 0, keyedHandles: 0, operatorHandles: 0, channelHandles: 0 };
    let elapsed = 0;
    for (const g of groups) {
      const t0 = process.hrtime.bigint();
      const a = assign(g);
      elapsed += elapsedMs(t0);
      for (const [k, n] of Object.entries(countAssigned(a))) total[k] += n;
      if (r === 0 && g === groups[0]) heapOnePartAssignedMiB = heapMiB();
    }
    ms.push(elapsed);
    counts = total;
  }
  const peakRssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
  console.log(JSON.stringify({ ...summary(ms), rounds: ms.length, parts: groups.length, ...counts, heapLoadedMiB, heapOnePartAssignedMiB, peakRssMiB }));
}

if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) main(process.argv.slice(2));
