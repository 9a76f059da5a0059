#!/usr/bin/env node
// Regenerates packages/ha/test/restore-fixtures/by-path-<line>[-rocksdb-incremental]-<checkpoint|savepoint>/:
// drives the conformance `ha` tool (conformance/run.sh <line> ha) through Flink's own restore by
// path (`restore-by-path`) of a retained checkpoint and of a canonical savepoint, and keeps each
// snapshot's _metadata with the completedCheckpoint file Flink's JobManager wrote for it.
//   node scripts/ha-restore-fixtures.mjs <1.20|2.0|2.3> [--backend rocksdb --incremental]
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [line, ...extra] = process.argv.slice(2);
if (!line) throw new Error('usage: ha-restore-fixtures.mjs <line> [--backend rocksdb --incremental]');
const suffix = extra.includes('--incremental') ? '-rocksdb-incremental' : '';
const work = mkdtempSync(join(tmpdir(), `ckpt-ha-by-path-${line}-`));
const tool = spawn(join(root, 'conformance/run.sh'), [line, 'ha', '--work', work, ...extra], { stdio: ['pipe', 'pipe', 'inherit'] });
const events = [];
let waiting;
createInterface({ input: tool.stdout }).on('line', (l) => {
  if (!l.startsWith('{')) return;
  const ev = JSON.parse(l);
  if (waiting) {
    const w = waiting;
    waiting = undefined;
    w(ev);
  } else events.push(ev);
});
const next = () => (events.length > 0 ? Promise.resolve(events.shift()) : new Promise((res) => (waiting = res)));
const local = (uri) => fileURLToPath(uri.replace(/^file:(?!\/\/)/, 'file://'));

const stored = await next();
async function take(kind, pointer) {
  tool.stdin.write(`restore-by-path ${pointer}\n`);
  const r = await next();
  const dir = join(root, 'packages/ha/test/restore-fixtures', `by-path-${line}${suffix}-${kind}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(local(pointer), '_metadata'), join(dir, '_metadata'));
  for (const f of r.haFiles) copyFileSync(f, join(dir, basename(f)));
  const { restoredCheckpointId, restoredExternalPath } = r;
  writeFileSync(join(dir, 'flink.json'), `${JSON.stringify({ flinkVersion: stored.flinkVersion, restoredCheckpointId, restoredExternalPath }, null, 2)}\n`);
  console.log(`${dir}: Flink restored checkpoint ${restoredCheckpointId} from ${restoredExternalPath}`);
}
await take('checkpoint', stored.flink.checkpoints.at(-1).externalPointer);
tool.stdin.write(`savepoint file://${join(work, 'savepoints')}\n`);
const sp = await next();
await take('savepoint', sp.path);
tool.stdin.end();
await new Promise((res) => tool.on('exit', res));
rmSync(work, { recursive: true, force: true });
