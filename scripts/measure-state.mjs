#!/usr/bin/env node
// Counts what `ckpt dump-state` gives for every operator holding keyed or operator state in the
// real-file corpus and the generated fixtures: entries, only notes, nothing, or refused (by error
// code and the serializer class the message names). Usage: node scripts/measure-state.mjs [--list]
// Generated retained checkpoints name their shared files by the absolute path of the worktree that
// generated them (the manifest's `generatedIn`): they are measured as `ckpt relocate --prefix` moves
// them (into a temporary directory, as the tests do), so the count is about reading, not paths.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { dumpState } from '../packages/cli/dist/commands/dump-state.js';
import { relocate } from '../packages/cli/dist/commands/relocate.js';
import { loadCheckpointState } from '../packages/state/dist/bundle/node/index.js';
import { Storages } from '../packages/storage/dist/bundle/index.js';

const root = resolve(import.meta.dirname, '..');
const corpus = process.env.CKPT_CORPUS ?? '/work/shared/fixtures/flink-corpus';
const list = process.argv.includes('--list');

function metadataFiles(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (n === '_metadata') out.push(p);
    else if (statSync(p).isDirectory()) metadataFiles(p, out);
  }
  return out;
}

/** The nearest directory at or above `file`'s that holds a fixture `manifest.json`, with the manifest. */
function fixtureOf(file) {
  for (let d = dirname(file); d.startsWith(join(root, 'fixtures/generated/')); d = dirname(d)) {
    const mf = join(d, 'manifest.json');
    if (existsSync(mf)) return { dir: d, manifest: JSON.parse(readFileSync(mf, 'utf8')) };
  }
  return undefined;
}

const scratch = mkdtempSync(join(tmpdir(), 'ckpt-measure-'));
let relocations = 0;
/** The `_metadata` to measure: a generated one written elsewhere is relocated onto this checkout first. */
async function measured(file) {
  const f = fixtureOf(file);
  const from = typeof f?.manifest.generatedIn === 'string' ? f.manifest.generatedIn.replace(/\/+$/, '') : undefined;
  if (!f || from === undefined || from.replace(/^file:(\/\/)?/, '') === f.dir) return file;
  const target = join(scratch, String(++relocations));
  await relocate(dirname(file), target, { prefix: [`${from}=file:${f.dir}`] }, () => undefined);
  return join(target, '_metadata');
}

const counts = new Map();
const bump = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
let operators = 0;
for (const original of [...metadataFiles(corpus), ...metadataFiles(join(root, 'fixtures/generated'))]) {
  const storages = new Storages();
  let meta;
  let file = original;
  try {
    file = await measured(original);
    meta = (await loadCheckpointState(file, { storages })).metadata;
  } catch {
    await storages.close();
    continue; // a _metadata ckpt cannot decode is not a state question
  } finally {
    await storages.close();
  }
  for (const op of meta.operators) {
    if (!op.subtasks.some((s) => s.managedKeyedState !== null || s.managedOperatorState !== null)) continue;
    operators++;
    let entries = 0;
    let notes = 0;
    let summaries = 0;
    let stateless = false;
    let outcome;
    try {
      await dumpState(file, { operator: op.operatorId }, (line) => (line.startsWith('{"summary":') ? summaries++ : line.startsWith('{"subtask":') && line.includes('"note"') ? notes++ : entries++), (n) => {
        if (n.includes('holds no keyed or operator state')) stateless = true;
      });
      outcome = entries > 0 ? 'entries' : notes > 0 ? 'only a note' : summaries > 0 ? 'no entries (summary printed)' : stateless ? 'no state (handles name no states)' : 'nothing printed';
    } catch (e) {
      const cls = /\b((?:[a-z]\w*\.)+[A-Z][\w$]*)/.exec(e.message ?? '')?.[1] ?? '';
      outcome = `refused ${e.code ?? e.name} ${cls || (e.message ?? '').slice(0, 80)}`;
    }
    bump(outcome);
    if (list) console.log(`${original}\t${op.operatorId}\t${outcome}`);
  }
}
rmSync(scratch, { recursive: true, force: true });
console.log(`operators with keyed or operator state: ${operators} (${relocations} generated checkpoints relocated first)`);
for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(5)}  ${k}`);
