import { requireOperator, UsageError, type OperatorState } from '@ckpt/format';
import { operatorEntryBatches, readRawKeyedTimers, stateJsonLine, StateError, summarizeOperatorState, type HandleResolver } from '@ckpt/state';
import { loadCheckpointState } from '@ckpt/state/node';
import { Storages } from '@ckpt/storage';
import { keyTypeOption } from './key-type.js';

export { stateJsonLine };

export interface DumpStateOptions {
  operator: string;
  keyGroups?: string;
  /** Per state: kind, serializers, entry count and bytes, instead of the entries. */
  summary?: boolean;
  /** Key type of a changelog checkpoint without materialized state (String, Long, …). */
  keyType?: string;
}

function parseKeyGroups(spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) throw new UsageError('BadArgument', `--key-groups expects a or a-b, got ${spec}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw new UsageError('BadArgument', `--key-groups ${spec}: end before start`);
  return [a, b];
}

/**
 * Raw keyed and raw operator state are written by user code in a layout of its own: they are not
 * decoded, and `note` says which subtasks' raw state is skipped — except raw keyed state that reads
 * as the timers Flink ≤ 1.x operators wrote there (`timerSubtasks`). With `--key-groups` only keyed
 * state is asked for, so raw operator state is not mentioned then.
 */
function noteRawState(op: OperatorState, keyedOnly: boolean, note: (s: string) => void, timerSubtasks: ReadonlySet<number>): void {
  const slots = [['raw keyed', 'rawKeyedState'], ['raw operator', 'rawOperatorState']] as const;
  for (const [what, slot] of keyedOnly ? slots.slice(0, 1) : slots) {
    const subtasks = op.subtasks.filter((s) => s[slot] !== null && !(slot === 'rawKeyedState' && timerSubtasks.has(s.index))).map((s) => s.index);
    if (subtasks.length === 0) continue;
    note(
      `note: ${what} state of operator ${op.uid ?? op.operatorId} (subtask${subtasks.length > 1 ? 's' : ''} ${subtasks.join(', ')}) ` +
        'skipped: its layout is user code, ckpt does not decode it',
    );
  }
}

/**
 * `ckpt dump-state <checkpoint> --operator <uid|id|name>`: the entries of an operator's state, one
 * JSON line each: keyed entries (key, namespace, value per state), then operator state elements.
 * With `--key-groups a-b` only those key groups are read (ranged reads by the handle's offsets), from
 * local disk or any storage URI. Raw state is skipped with a `note` (stderr in the CLI).
 */
export async function dumpState(pointer: string, opts: DumpStateOptions, out: (s: string) => void, note: (s: string) => void): Promise<number> {
  const storages = new Storages();
  try {
    // `_metadata` is read and decoded once, for the entries and the summary
    const { resolved, metadata, resolver } = await loadCheckpointState(pointer, { storages });
    const op = requireOperator(metadata.operators, opts.operator, resolved.metadataUri);
    const summary = async () => {
      const rows = await summarizeOperatorState(op, resolver);
      for (const row of rows) out(stateJsonLine(row));
      // e.g. only the placeholders a file-merging checkpoint keeps for operators without state
      if (rows.length === 0) note(`note: operator ${op.uid ?? op.operatorId} holds no keyed or operator state (its state handles name no states)`);
    };
    if (opts.summary) {
      await summary();
      return 0;
    }
    let printed = 0;
    await dump(op, resolver, opts, (s) => (printed++, out(s)), note);
    // states without entries: say what they are instead of printing nothing
    if (printed === 0 && opts.keyGroups === undefined) await summary();
    return 0;
  } finally {
    await storages.close();
  }
}

async function dump(op: OperatorState, resolver: HandleResolver, opts: DumpStateOptions, out: (s: string) => void, note: (s: string) => void): Promise<void> {
  const range = opts.keyGroups === undefined ? undefined : parseKeyGroups(opts.keyGroups);
  const timers = await rawKeyedTimers(op, resolver, range);
  noteRawState(op, range !== undefined, note, new Set(timers.keys()));
  const keySerializer = opts.keyType === undefined ? undefined : keyTypeOption(opts.keyType);
  const entryOpts = { ...(range ? { keyGroups: range } : {}), ...(keySerializer ? { keySerializer } : {}) };
  for await (const items of operatorEntryBatches(op, resolver, entryOpts)) for (const item of items) out(stateJsonLine(item));
  for (const [subtask, entries] of timers) for (const e of entries) out(stateJsonLine({ subtask, ...e }));
}

/** Per subtask, the timers its raw keyed state holds, if it reads as Flink's legacy timer layout. */
async function rawKeyedTimers(op: OperatorState, resolver: HandleResolver, range: [number, number] | undefined) {
  const out = new Map<number, Awaited<ReturnType<typeof readRawKeyedTimers>>>();
  for (const s of op.subtasks) {
    const h = s.rawKeyedState;
    if (h?.kind !== 'keyGroups' && h?.kind !== 'savepointKeyGroups') continue;
    try {
      out.set(s.index, await readRawKeyedTimers(h, resolver.resolve(h.delegate), range));
    } catch (e) {
      if (!(e instanceof StateError)) throw e; // the operator's own layout: noted as skipped
    }
  }
  return out;
}
