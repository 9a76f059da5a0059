// Keyed-state read: every entry of the keyed job's operator (uid `keyed`) of a real heap savepoint,
// ckpt (@ckpt/state) against Flink's State Processor API (conformance/ KeyedRead.java, Flink 2.3),
// with process start excluded (warmed, in-process) and included (fresh process per read).
// Prints {rows} as JSON for bench/run.mjs.   node bench/keyed.mjs [--once]
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata } from '../packages/format/dist/index.js';
import { HandleResolver, KeyedStateFile } from '../packages/state/dist/index.js';
import { timeAsync } from './timing.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = join(root, 'fixtures', 'generated', '2.3.0', 'keyed-hashmap-savepoint');
const STATES = new Set(['sum', 'values', 'byValue', 'max']);
const ROUNDS = Number(process.env.BENCH_KEYED_ROUNDS ?? 20);
/** A State Processor API read starts a local mini cluster (seconds): fewer rounds on that side. */
const FLINK_ROUNDS = Number(process.env.BENCH_KEYED_FLINK_ROUNDS ?? 3);

/** Reads every entry of the four states the Java side reads; returns how many there are. */
async function readAll() {
  const meta = decodeMetadata(new Uint8Array(readFileSync(join(fixture, '_metadata'))));
  const op = meta.operators.find((o) => o.uid === 'keyed');
  if (!op) throw new Error('no operator with uid keyed in the fixture');
  const resolver = new HandleResolver({ metadataDir: fixture });
  let n = 0;
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h === null) continue;
    if (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups') throw new Error(`unexpected ${h.kind} handle`);
    const file = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
    for await (const e of file.entries()) if (STATES.has(e.state)) n++;
  }
  return n;
}

function wallMs(cmd, args, reps) {
  let best = Infinity;
  for (let i = 0; i < reps; i++) {
    const t0 = process.hrtime.bigint();
    execFileSync(cmd, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
  }
  return best;
}

if (process.argv.includes('--once')) {
  console.log(await readAll());
} else {
  const entries = await readAll();
  const { minMs: ckptMs, medianMs: ckptMedianMs } = await timeAsync(readAll, { rounds: ROUNDS, warmup: 5 });
  const run = join(root, 'conformance', 'run.sh');
  const flink = JSON.parse(
    execFileSync(run, ['2.3', 'keyed-read', fixture, String(FLINK_ROUNDS)], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
      .split('\n')
      .find((l) => l.startsWith('{')),
  );
  if (flink.entries !== entries) throw new Error(`entry counts differ: ckpt ${entries}, Flink ${flink.entries}`);
  const ckptColdMs = wallMs(process.execPath, [join(root, 'bench', 'keyed.mjs'), '--once'], 3);
  const flinkColdMs = wallMs(run, ['2.3', 'keyed-read', fixture, '0'], 2);
  const perSec = (t) => `${Math.round(entries / (t / 1000))} entries/s`;
  const input = `2.3.0/keyed-hashmap-savepoint (${entries} entries)`;
  const rows = [
    { case: 'keyed read vs State Processor API, start excluded', input, ckpt: perSec(ckptMs), baseline: perSec(flink.readMinMs), ratio: flink.readMinMs / ckptMs },
    { case: 'keyed read vs State Processor API, start included', input, ckpt: perSec(ckptColdMs), baseline: perSec(flinkColdMs), ratio: flinkColdMs / ckptColdMs },
  ];
  console.log(JSON.stringify({ entries, ckptMinMs: ckptMs, ckptMedianMs, flink, ckptColdMs, flinkColdMs, rows }));
}
