import type { OperatorState, OperatorStateHandle } from '@ckpt/format';
import { KeyedStateFile } from '../keyed/keyed-state.js';
import type { HandleResolver } from '../io/resolve.js';
import { option, OPTION_KEYED_STATE_TYPE, serializer, KEY_SERIALIZER, NAMESPACE_SERIALIZER, VALUE_SERIALIZER, type StateMetaInfo } from '../meta/meta-info.js';
import { OperatorStateFile } from '../operator/operator-state.js';
import { RocksDbKeyedState } from '../rocksdb/keyed.js';
import { describeSnapshot, type SerializerSnapshot } from '../serializers/snapshot.js';

/** A serializer as the summary shows it: snapshot class and a short type name. */
export interface SerializerName {
  class: string;
  type: string;
}

/** One state of an operator, over all its subtasks. */
export interface StateSummary {
  summary: 'keyed' | 'operator';
  state: string;
  /** Keyed: VALUE, LIST, MAP, REDUCING, AGGREGATING, PRIORITY_QUEUE…; operator: the distribution mode. */
  kind: string;
  keySerializer?: SerializerName;
  namespaceSerializer?: SerializerName;
  valueSerializer?: SerializerName;
  /** Stored entries: keyed pairs (a list state's key is one entry), list elements, broadcast map entries. */
  entries: number;
  /** Key and value bytes (uncompressed); null where the format gives no per-entry bytes (heap checkpoints). */
  bytes: number | null;
  subtasks: number[];
}

function named(s: SerializerSnapshot | undefined): SerializerName | undefined {
  return s && { class: s.className, type: describeSnapshot(s) };
}

/** Sums per-subtask figures into one row per state name, in first-seen order. */
class Rows {
  readonly rows = new Map<string, StateSummary>();

  add(summary: StateSummary['summary'], meta: StateMetaInfo, kind: string, key: SerializerSnapshot | undefined, subtask: number): StateSummary {
    const id = `${summary}/${meta.name}`;
    let row = this.rows.get(id);
    if (!row) {
      row = {
        summary,
        state: meta.name,
        kind,
        keySerializer: named(key ?? serializer(meta, KEY_SERIALIZER)),
        namespaceSerializer: named(serializer(meta, NAMESPACE_SERIALIZER)),
        valueSerializer: named(serializer(meta, VALUE_SERIALIZER)),
        entries: 0,
        bytes: 0,
        subtasks: [],
      };
      this.rows.set(id, row);
    }
    if (!row.subtasks.includes(subtask)) row.subtasks.push(subtask);
    return row;
  }
}

function keyedKind(meta: StateMetaInfo): string {
  return meta.backendStateType === 'PRIORITY_QUEUE' ? 'PRIORITY_QUEUE' : (option(meta, OPTION_KEYED_STATE_TYPE) ?? meta.backendStateType);
}

type RawSource = { rawKeyGroups(): ReturnType<KeyedStateFile['rawKeyGroups']> };

async function countKeyed(rows: Rows, subtask: number, metas: StateMetaInfo[], key: SerializerSnapshot, source: RawSource | KeyedStateFile): Promise<void> {
  const per = metas.map((m) => rows.add('keyed', m, keyedKind(m), key, subtask));
  if (source instanceof KeyedStateFile && source.format === 'heap') {
    for (const row of per) row.bytes = null;
    for await (const e of source.entries()) per.find((r) => r.state === e.state)!.entries++;
    return;
  }
  for await (const kg of source.rawKeyGroups()) {
    for (const e of kg.entries) {
      const row = per[e.stateId]!;
      row.entries++;
      if (row.bytes !== null) row.bytes += e.key.length + e.value.length;
    }
  }
}

/** Partition sizes of an operator state file: each offset up to the next one (or the file end). */
async function countOperator(rows: Rows, subtask: number, h: OperatorStateHandle, file: OperatorStateFile): Promise<void> {
  const size = await file.source.size();
  const starts = [...new Set(h.states.flatMap((s) => s.offsets.map(Number)))].sort((a, b) => a - b);
  const end = (o: number) => starts.find((x) => x > o) ?? size;
  for (const s of file.states) {
    const row = rows.add('operator', s.meta, s.mode, undefined, subtask);
    for (const o of s.offsets) row.bytes! += end(o) - o;
    if (s.mode === 'BROADCAST') {
      for await (const e of file.entries(s.name)) row.entries += e.kind === 'opaqueBroadcast' ? e.size : 1;
    } else row.entries += s.offsets.length;
  }
}

/**
 * The states of an operator without their entries: per state name (summed over subtasks) its kind,
 * serializers, number of entries and bytes — also for states without entries, which `dump-state`
 * otherwise does not show at all.
 */
export async function summarizeOperatorState(op: OperatorState, resolver: HandleResolver): Promise<StateSummary[]> {
  const rows = new Rows();
  for (const s of op.subtasks) {
    const h = s.managedKeyedState;
    if (h?.kind === 'incremental') {
      const rs = await RocksDbKeyedState.open(h, (x) => resolver.resolve(x), { maxParallelism: op.maxParallelism });
      await countKeyed(rows, s.index, rs.header.states, rs.header.keySerializer, rs);
    } else if (h?.kind === 'keyGroups' || h?.kind === 'savepointKeyGroups') {
      const kf = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
      await countKeyed(rows, s.index, kf.header.states, kf.header.keySerializer, kf);
    }
    const oh = s.managedOperatorState;
    if (oh) await countOperator(rows, s.index, oh, await OperatorStateFile.open(oh, resolver.resolve(oh.delegate)));
  }
  return [...rows.rows.values()];
}
