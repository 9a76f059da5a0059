/**
 * `pnpm fuzz`: every target under Jazzer.js for a share of a fixed budget, then hostile lengths,
 * then the truncation sweep; prints a table and exits 1 when a new crasher was stored or a
 * truncation failed. Environment:
 *   CKPT_FUZZ_SECONDS   total budget in seconds (default 240)
 *   CKPT_FUZZ_SWEEP     `full`: every prefix of every seed, whatever the budget (default: the
 *                       sweep's share of the budget, seeds in a fixed order)
 *   CKPT_FUZZ_TARGETS   comma-separated target names (default all)
 *   CKPT_FUZZ_JAZZER    `0` skips the Jazzer stage
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installAllocationGuard } from './alloc-guard.js';
import { storeCrasher } from './crashers.js';
import { hostileLengths } from './hostile.js';
import { bundleEntry, runJazzer } from './jazzer.js';
import { REPO_ROOT } from './seeds.js';
import { sweep } from './sweep.js';
import { prepare, TARGETS } from './targets.js';

interface Row {
  target: string;
  jazzerInputs: number;
  kept: number;
  cov: number;
  hostileInputs: number;
  prefixes: number;
  sweepSeeds: string;
  crashes: number;
  newCrashers: number;
  sweepFailures: number;
  largestLength: number;
  largestAllocation: number;
}

const total = Number(process.env.CKPT_FUZZ_SECONDS ?? 240);
const fullSweep = process.env.CKPT_FUZZ_SWEEP === 'full';
const names = process.env.CKPT_FUZZ_TARGETS?.split(',').filter(Boolean);
const targets = names ? TARGETS.filter((t) => names.includes(t.name)) : TARGETS;
const useJazzer = process.env.CKPT_FUZZ_JAZZER !== '0';
const timeoutMs = 10_000;
const workDir = join(tmpdir(), `ckpt-fuzz-${process.pid}`);

const started = Date.now();
const rows = new Map<string, Row>(
  targets.map((t) => [
    t.name,
    { target: t.name, jazzerInputs: 0, kept: 0, cov: 0, hostileInputs: 0, prefixes: 0, sweepSeeds: '', crashes: 0, newCrashers: 0, sweepFailures: 0, largestLength: 0, largestAllocation: 0 },
  ]),
);

// budget shares (wall clock, start-up included): Jazzer 55 %, hostile lengths 20 %, sweep the rest
await prepare();
if (useJazzer) {
  await bundleEntry();
  const jazzerEnd = started + total * 1000 * 0.55;
  let overhead = 8; // seconds a Jazzer process spends outside libFuzzer's clock; measured as we go
  for (const [i, t] of targets.entries()) {
    const r = rows.get(t.name)!;
    const share = (jazzerEnd - Date.now()) / 1000 / (targets.length - i);
    const seconds = Math.max(2, Math.round(share - overhead));
    const t0 = Date.now();
    const s = await runJazzer(t, { seconds, workDir, timeoutMs, rssLimitMb: 3072, maxSeeds: 120 });
    overhead = Math.max(2, (Date.now() - t0) / 1000 - seconds);
    Object.assign(r, { jazzerInputs: s.inputs, kept: s.kept, cov: s.cov });
    r.crashes += s.crashes;
    r.newCrashers += s.newCrashers;
    r.largestLength = Math.max(r.largestLength, s.largestLength);
    r.largestAllocation = Math.max(r.largestAllocation, s.largestAllocation);
    console.log(`jazzer ${t.name}: ${s.inputs} inputs, ${s.kept} kept for new coverage (cov ${s.cov}), ${s.crashes} crashes`);
  }
}

installAllocationGuard();
const hostileEnd = started + total * 1000 * (useJazzer ? 0.75 : 0.5);
for (const [i, t] of targets.entries()) {
  const r = rows.get(t.name)!;
  const seeds = t.seeds();
  const left = hostileEnd - Date.now();
  const until = Date.now() + Math.max(500, left / (targets.length - i));
  const s = await hostileLengths(t, seeds, { until, timeoutMs, keep: t.context ?? 0 });
  r.hostileInputs = s.inputs;
  r.crashes += s.crashes;
  r.newCrashers += s.newCrashers;
  r.largestLength = Math.max(r.largestLength, s.largestLength);
  r.largestAllocation = Math.max(r.largestAllocation, s.largestAllocation);
}

// the sweep: seeds in a fixed order, targets interleaved, until the budget ends (or all, if full);
// it keeps at least a tenth of the budget when the earlier stages ran over
const sweepEnd = Math.max(started + total * 1000, Date.now() + total * 100);
const queues = targets.map((t) => ({ t, seeds: t.seeds(), next: 0 }));
let pending = true;
while (pending && (fullSweep || Date.now() < sweepEnd)) {
  pending = false;
  for (const q of queues) {
    if (q.next >= q.seeds.length || (!fullSweep && Date.now() >= sweepEnd)) continue;
    pending = true;
    const res = await sweep(q.t, [q.seeds[q.next]!], { keep: q.t.context ?? 0 });
    q.next++;
    const r = rows.get(q.t.name)!;
    r.prefixes += res.prefixes;
    r.sweepFailures += res.failureCount;
    for (const f of res.failures) {
      r.crashes++;
      if (storeCrasher(q.t.name, f.bytes, `truncation at ${f.cut}: ${f.why}`)) r.newCrashers++;
    }
  }
}
for (const q of queues) rows.get(q.t.name)!.sweepSeeds = `${q.next}/${q.seeds.length}`;

const table = [...rows.values()];
const header = ['target', 'jazzer inputs', 'kept (new cov)', 'cov', 'hostile-length inputs', 'sweep seeds', 'prefixes', 'crashes', 'new crashers', 'largest length', 'largest alloc'];
const lines = table.map((r) => [r.target, r.jazzerInputs, r.kept, r.cov, r.hostileInputs, r.sweepSeeds, r.prefixes, r.crashes, r.newCrashers, r.largestLength, r.largestAllocation].map(String));
const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
console.log(`\nckpt fuzz: ${Math.round((Date.now() - started) / 1000)} s (budget ${total} s${fullSweep ? ', full sweep' : ''})`);
console.log(fmt(header));
for (const l of lines) console.log(fmt(l));
mkdirSync(join(REPO_ROOT, 'fuzz/.build'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'fuzz/.build/last-run.json'), JSON.stringify({ seconds: (Date.now() - started) / 1000, total, fullSweep, rows: table }, null, 2));
rmSync(workDir, { recursive: true, force: true }); // the Jazzer corpora (counted above)
const fresh = table.reduce((n, r) => n + r.newCrashers, 0);
if (fresh > 0) {
  console.log(`\n${fresh} new crasher(s) stored under fuzz/crashers/: fix them, keep the files as regression inputs`);
  process.exit(1);
}
