#!/usr/bin/env node
// Counts what `ckpt dump-state` gives for every operator holding keyed or operator state in the
// real-file corpus and the generated fixtures: entries, only notes, nothing, or refused (by error
// code and the serializer class the message names). Usage: node scripts/measure-state.mjs [--list]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dumpState } from '../packages/cli/dist/commands/dump-state.js';
import { loadCheckpointState } from '../packages/state/dist/node/index.js';
import { Storages } from '../packages/storage/dist/index.js';

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

const counts = new Map();
const bump = (k) => counts.set(k, (counts.get(k) ?? 0) + 1);
let operators = 0;
for (const file of [...metadataFiles(corpus), ...metadataFiles(join(root, 'fixtures/generated'))]) {
  const storages = new Storages();
  let meta;
  try {
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
    let outcome;
    try {
      await dumpState(file, { operator: op.operatorId }, (line) => (line.startsWith('{"summary":') ? summaries++ : line.startsWith('{"subtask":') && line.includes('"note"') ? notes++ : entries++), () => undefined);
      outcome = entries > 0 ? 'entries' : notes > 0 ? 'only a note' : summaries > 0 ? 'no entries (summary printed)' : 'nothing printed';
    } catch (e) {
      const cls = /\b((?:[a-z]\w*\.)+[A-Z][\w$]*)/.exec(e.message ?? '')?.[1] ?? '';
      outcome = `refused ${e.code ?? e.name} ${cls || (e.message ?? '').slice(0, 80)}`;
    }
    bump(outcome);
    if (list) console.log(`${file}\t${op.operatorId}\t${outcome}`);
  }
}
console.log(`operators with keyed or operator state: ${operators}`);
for (const [k, n] of [...counts].sort((a, b) => b[1] - a[1])) console.log(`${String(n).padStart(5)}  ${k}`);
