import { bytesToBase64, requireOperator, UsageError, type OperatorState } from '@ckpt/format';
import { KeyedStateFile, OperatorStateFile, RocksDbKeyedState, type HandleResolver } from '@ckpt/state';
import { loadCheckpointState } from '@ckpt/state/node';
import { Storages } from '@ckpt/storage';
import { summarizeOperatorState } from './state-summary.js';

export interface DumpStateOptions {
  operator: string;
  keyGroups?: string;
  /** Per state: kind, serializers, entry count and bytes, instead of the entries. */
  summary?: boolean;
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
 * One JSON line: bigint as decimal strings, bytes as `{base64}`, Java maps (decoded as `Map`, keys of
 * any type) as `{map: [[key, value], …]}` in stored order, sets as `{set: […]}`.
 */
export function stateJsonLine(v: unknown): string {
  return JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
    if (typeof x === 'bigint') return x.toString();
    // the holder's value: a Node Buffer has already been through its toJSON here
    const own = k === '' ? v : this[k];
    if (own instanceof Uint8Array) return { base64: bytesToBase64(own) };
    if (x instanceof Map) return { map: [...x.entries()] };
    if (x instanceof Set) return { set: [...x.values()] };
    return x;
  });
}

/**
 * Raw keyed and raw operator state are written by user code in a layout of its own: they are not
 * decoded, and `note` says which subtasks' raw state is skipped. With `--key-groups` only keyed
 * state is asked for, so raw operator state is not mentioned then.
 */
function noteRawState(op: OperatorState, keyedOnly: boolean, note: (s: string) => void): void {
  const slots = [['raw keyed', 'rawKeyedState'], ['raw operator', 'rawOperatorState']] as const;
  for (const [what, slot] of keyedOnly ? slots.slice(0, 1) : slots) {
    const subtasks = op.subtasks.filter((s) => s[slot] !== null).map((s) => s.index);
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
      for (const row of await summarizeOperatorState(op, resolver)) out(stateJsonLine(row));
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
  noteRawState(op, range !== undefined, note);
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h?.kind === 'incremental') {
      // RocksDB / ForSt native savepoint or checkpoint: the SSTs' LSM view per state.
      const rs = await RocksDbKeyedState.open(h, (x) => resolver.resolve(x), { maxParallelism: op.maxParallelism });
      for await (const group of rs.keyGroupEntries(range ? { start: range[0], end: range[1] } : undefined)) {
        for (const e of group) out(stateJsonLine({ subtask: s.index, ...e }));
      }
    } else if (h && h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups') {
      out(stateJsonLine({ subtask: s.index, note: `${h.kind} keyed state: entries are not decoded (changelog state-change files)` }));
    } else if (h) {
      const kf = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
      const start = h.keyGroupRange.start;
      const end = start + h.keyGroupRange.count - 1;
      const wanted = range
        ? Array.from({ length: Math.max(0, Math.min(end, range[1]) - Math.max(start, range[0]) + 1) }, (_, i) => Math.max(start, range[0]) + i)
        : undefined;
      if (!wanted || wanted.length > 0) {
        for await (const e of kf.entries(wanted)) out(stateJsonLine({ subtask: s.index, ...e }));
      }
    }
    const oh = s.managedOperatorState;
    if (range || oh === null) continue;
    const of = await OperatorStateFile.open(oh, resolver.resolve(oh.delegate));
    for await (const e of of.entries()) out(stateJsonLine({ subtask: s.index, ...e }));
  }
}
