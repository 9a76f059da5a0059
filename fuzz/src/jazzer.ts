/**
 * Runs one target under Jazzer.js (libFuzzer) for a fixed time: bundles the entry to CommonJS so
 * Jazzer's require hook instruments every decoder, seeds a fresh corpus directory with the
 * target's seeds, and reads back the counts. libFuzzer artifacts (timeouts, out-of-memory) become
 * stored crashers.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { build } from 'esbuild';
import { crasherName, storeCrasher } from './crashers.js';
import { REPO_ROOT } from './seeds.js';
import type { Target } from './targets.js';

export interface JazzerStats {
  target: string;
  inputs: number;
  ok: number;
  typed: number;
  crashes: number;
  newCrashers: number;
  largestLength: number;
  largestAllocation: number;
  /** Inputs libFuzzer kept because they reached new coverage. */
  kept: number;
  /** libFuzzer's final coverage figure (`cov:`), if it printed one. */
  cov: number;
  exitCode: number | null;
}

const BUILD_DIR = join(REPO_ROOT, 'fuzz/.build');
export const ENTRY = join(BUILD_DIR, 'jazzer-entry.cjs');

export async function bundleEntry(): Promise<void> {
  await build({
    entryPoints: [join(REPO_ROOT, 'fuzz/src/jazzer-entry.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    conditions: ['source'],
    outfile: ENTRY,
    logLevel: 'warning',
  });
}

export function jazzerCli(): string {
  const req = createRequire(join(REPO_ROOT, 'fuzz/package.json'));
  return join(req.resolve('@jazzer.js/core/package.json'), '../dist/cli.js');
}

export interface JazzerOptions {
  seconds: number;
  workDir: string;
  /** Per-input timeout (ms). */
  timeoutMs: number;
  rssLimitMb: number;
  /** At most this many seeds (spread over the sizes), so libFuzzer's first pass stays short. */
  maxSeeds?: number;
}

/** Up to `n` seeds spread evenly over the seeds sorted by size. */
export function spreadSeeds(seeds: Uint8Array[], n: number): Uint8Array[] {
  if (seeds.length <= n) return seeds;
  const sorted = [...seeds].sort((a, b) => a.length - b.length);
  return Array.from({ length: n }, (_, k) => sorted[Math.floor((k * sorted.length) / n)]!);
}

export async function runJazzer(t: Target, o: JazzerOptions): Promise<JazzerStats> {
  const dir = join(o.workDir, t.name);
  rmSync(dir, { recursive: true, force: true });
  const corpus = join(dir, 'corpus');
  const seeds = join(dir, 'seeds');
  const artifacts = join(dir, 'artifacts');
  for (const d of [corpus, seeds, artifacts]) mkdirSync(d, { recursive: true });
  const seedList = spreadSeeds(t.seeds(), o.maxSeeds ?? Infinity);
  for (const s of seedList) writeFileSync(join(seeds, crasherName(s)), s);
  const maxLen = Math.max(4096, ...seedList.map((s) => s.length));
  const statsFile = join(dir, 'stats.json');
  const args = [
    jazzerCli(),
    ENTRY,
    corpus,
    seeds,
    '--disable_bug_detectors=.*',
    `--timeout=${o.timeoutMs}`,
    '--',
    `-max_total_time=${Math.max(1, Math.round(o.seconds))}`,
    `-max_len=${maxLen}`,
    `-rss_limit_mb=${o.rssLimitMb}`,
    `-artifact_prefix=${artifacts}/`,
    '-print_final_stats=1',
  ];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, args, {
      cwd: REPO_ROOT,
      env: { ...process.env, CKPT_FUZZ_TARGET: t.name, CKPT_FUZZ_STATS: statsFile, CKPT_REPO_ROOT: REPO_ROOT },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stdout.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-200_000)));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-200_000)));
    // a hang that libFuzzer's own timeout did not end: stop the run
    const killer = setTimeout(() => child.kill('SIGKILL'), (o.seconds + 120) * 1000);
    child.on('close', (c) => {
      clearTimeout(killer);
      resolve({ code: c, stderr: err });
    });
  });
  const stats = existsSync(statsFile)
    ? (JSON.parse(readFileSync(statsFile, 'utf8')) as Omit<JazzerStats, 'kept' | 'cov' | 'exitCode'>)
    : { target: t.name, inputs: 0, ok: 0, typed: 0, crashes: 0, newCrashers: 0, largestLength: 0, largestAllocation: 0 };
  const done = /#(\d+)\s+DONE\s+cov: (\d+)/.exec(stderr);
  const runs = /stat::number_of_executed_units:\s*(\d+)/.exec(stderr);
  const result: JazzerStats = {
    ...stats,
    inputs: Math.max(stats.inputs, runs ? Number(runs[1]) : 0, done ? Number(done[1]) : 0),
    kept: readdirSync(corpus).length,
    cov: done ? Number(done[2]) : 0,
    exitCode: code,
  };
  // libFuzzer's own findings (timeouts, out-of-memory, deadly signals) are crashers too
  for (const f of readdirSync(artifacts)) {
    const bytes = new Uint8Array(readFileSync(join(artifacts, f)));
    result.crashes++;
    if (storeCrasher(t.name, bytes, `libFuzzer ${f.replace(/-.*/, '')}\n${stderr.slice(-4000)}`)) result.newCrashers++;
  }
  if (code !== 0 && readdirSync(artifacts).length === 0 && result.newCrashers === 0) {
    throw new Error(`jazzer run of ${t.name} failed (exit ${code}):\n${stderr.slice(-3000)}`);
  }
  return result;
}
