import { createHash } from 'node:crypto';
import { UsageError, type KeyedStateHandle, type OperatorState, type StreamStateHandle, type SubtaskState } from '@ckpt/format';
import { keyGroupRange } from '@ckpt/restore';
import { StateError } from '../errors.js';
import type { HandleResolver } from '../io/resolve.js';
import { streamCanonicalKeyedState } from '../keyed/canonical-stream.js';
import { KeyedStateFile } from '../keyed/keyed-state.js';
import { RocksDbKeyedState, type KeyGroupSpan } from '../rocksdb/keyed.js';
import { readNativeSnapshot } from '../rocksdb/native.js';
import { ChangelogKeyedState } from '../changelog/replay.js';
import type { SerializerSnapshot } from '../serializers/snapshot.js';
import type { SnappyFraming } from '../snappy/framing.js';
import type { RawKeyedSource } from '../rekey/move-entries.js';
import { streamEntries } from '../rekey/stream-entries.js';
import { spillEntries, type SpillOptions } from './spill-entries.js';
import { encodeCompositeEntry } from '../keyed/canonical-encode.js';
import type { RawKeyedEntry } from '../keyed/canonical-stream.js';
import { stateCodecs } from '../keyed/codecs.js';
import { codecFor } from '../serializers/codecs.js';
import { clipSpans, sourceKeyGroupSpans } from '../rekey/shards.js';
import type { RekeyOutput } from './output.js';

type KeyGroupsKind = 'keyGroups' | 'savepointKeyGroups';

/** What one operator becomes, decided from `_metadata` alone (no state file read yet). */
export interface OperatorPlan {
  op: OperatorState;
  label: string;
  /** The new max parallelism and parallelism. */
  maxParallelism: number;
  parallelism: number;
  /** The old subtasks with keyed state (none: only the max parallelism changes). */
  keyed: SubtaskState[];
  kind: KeyGroupsKind;
  /** The new handles carry a state handle id (Flink's checkpoint key-group handles). */
  withId: boolean;
}

/** One new key-group file: a new subtask's keyed state. */
export interface WrittenPart {
  operatorId: string;
  index: number;
  start: number;
  count: number;
  file: string;
  size: number;
  offsets: bigint[];
  entries: number;
  keyGroupsWithData: number;
  /** The new handle's kind: the old one's, but a canonical savepoint handle where heap-format files were read. */
  kind: KeyGroupsKind;
}

export interface ConvertContext {
  resolver: HandleResolver;
  framing: SnappyFraming;
  output: RekeyOutput;
  compress?: boolean;
  /** Key serializer of changelog state without a materialized part. */
  keySerializer?: SerializerSnapshot;
  /** A new max parallelism: memory for moved pairs before they are sorted on disk, and where. */
  spill?: SpillOptions;
}

/** Per operator: whether a heap-format (HashMap checkpoint) file was among its sources. */
type SourceContext = ConvertContext & { heapSeen?: boolean };

/** Checks what Flink's layout allows and picks the new handles' kind; throws before any file is written. */
export function planOperator(op: OperatorState, maxParallelism: number, parallelism: number | undefined): OperatorPlan {
  const keyed = op.subtasks.filter((s) => s.managedKeyedState !== null);
  const newP = keyed.length > 0 ? (parallelism ?? op.parallelism) : op.parallelism;
  const label = op.uid ?? op.operatorId;
  if (newP > maxParallelism) {
    throw new UsageError('BadArgument', `operator ${label}: parallelism ${newP} is higher than the new max parallelism ${maxParallelism}`);
  }
  if (op.subtasks.some((s) => s.rawKeyedState !== null)) {
    throw new StateError('UnsupportedHandle', `operator ${label} has raw keyed state; its layout is user code and cannot be re-keyed`);
  }
  let kind: KeyGroupsKind | undefined;
  let withId = false;
  for (const s of keyed) {
    const h = s.managedKeyedState!;
    // RocksDB / ForSt native savepoint or checkpoint: its LSM view per state, written as a canonical savepoint
    if (h.kind === 'incremental' || h.kind === 'changelog') kind ??= 'savepointKeyGroups';
    else if (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') {
      kind ??= h.kind;
      withId ||= h.kind === 'keyGroups' && h.stateHandleId !== undefined;
    } else throw new StateError('UnsupportedHandle', `operator ${label}: a bare ${h.kind} keyed handle (outside a changelog handle) cannot be re-keyed`);
  }
  if (keyed.length > 0 && newP !== op.parallelism && op.subtasks.some((s) => s.managedOperatorState || s.rawOperatorState || s.inputChannelState.length || s.resultSubpartitionState.length || s.finished)) {
    throw new StateError('UnsupportedHandle', `operator ${label} also holds operator or channel state; keep its parallelism (let Flink rescale it on restore)`);
  }
  return { op, label, maxParallelism, parallelism: newP, keyed, kind: kind ?? 'savepointKeyGroups', withId };
}

async function* concat<T>(parts: AsyncIterable<T>[]): AsyncGenerator<T> {
  for (const p of parts) yield* p;
}

async function* nothing<T>(): AsyncGenerator<T> {}

/** The old keyed state of one subtask as raw pairs, restricted to `spans` of its key groups (all when undefined). */
async function rawSource(plan: OperatorPlan, s: SubtaskState, spans: KeyGroupSpan[] | undefined, ctx: SourceContext): Promise<RawKeyedSource> {
  const h = s.managedKeyedState!;
  const range = h.keyGroupRange;
  const own = spans && range ? clipSpans(spans, range.start, range.start + range.count - 1) : undefined;
  const opts = { maxParallelism: plan.op.maxParallelism };
  if (h.kind === 'changelog') {
    // the changelog backend: the materialized part with the logged changes replayed, as canonical pairs
    const cs = await ChangelogKeyedState.open(h, ctx.resolver, { ...opts, ...(ctx.keySerializer ? { keySerializer: ctx.keySerializer } : {}) });
    return { name: `${plan.label} subtask ${s.index}`, header: cs.header, keyGroups: cs.rawKeyGroups(own) };
  }
  if (h.kind === 'incremental') {
    const name = `${plan.label} subtask ${s.index}`;
    // none of its key groups needed: the meta file alone (for the merged header), no SST opened
    if (own?.length === 0) return { name, header: (await readNativeSnapshot(h, ctx.resolver)).meta, keyGroups: nothing() };
    const rs = await RocksDbKeyedState.open(h, (x) => ctx.resolver.resolve(x), opts);
    return { name, header: rs.header, keyGroups: own ? concat(own.map((sp) => rs.rawKeyGroups(sp))) : rs.rawKeyGroups() };
  }
  const kf = await KeyedStateFile.open(h, ctx.resolver.resolve(h as Extract<KeyedStateHandle, { kind: KeyGroupsKind }>), { ...opts, framing: ctx.framing });
  if (kf.format === 'heap') ctx.heapSeen = true;
  return { name: kf.source.name, header: kf.header, keyGroups: kf.format === 'heap' ? heapPairs(kf, own) : kf.rawKeyGroups(own) };
}

/** A heap-format file (HashMap checkpoints) as canonical pairs: its entries decoded and encoded in the composite-key layout. */
async function* heapPairs(kf: KeyedStateFile, spans: KeyGroupSpan[] | undefined): AsyncGenerator<{ keyGroup: number; entries: RawKeyedEntry[] }> {
  const key = codecFor(kf.header.keySerializer);
  const states = kf.header.states.map(stateCodecs);
  const ids = new Map(states.map((st, i) => [st.meta.name, i]));
  const wanted = spans?.flatMap((sp) => Array.from({ length: sp.end - sp.start + 1 }, (_, i) => sp.start + i));
  for await (const group of kf.keyGroupEntries(wanted)) {
    const entries = group.map((e) => {
      const stateId = ids.get(e.state)!;
      return { stateId, ...encodeCompositeEntry(states[stateId]!, key, e) };
    });
    yield { keyGroup: group[0]!.keyGroup, entries };
  }
}

/** The name of a new key-group file: the same in every run (one process or many) for the same conversion. */
function partName(plan: OperatorPlan, start: number, count: number): string {
  return `keyed-${plan.op.operatorId}-${start}-${start + count - 1}`;
}

/** Whether `name` is one {@link partName} gives. */
export function isPartName(name: string): boolean {
  return /^keyed-[0-9a-f]{32}-\d+-\d+$/.test(name);
}

/**
 * Writes the new key-group files of the operator's new subtasks `only` (all when undefined),
 * reading only the old key groups that can hold their keys.
 */
export async function convertOperator(plan: OperatorPlan, only: readonly number[] | undefined, ctx: ConvertContext): Promise<WrittenPart[]> {
  if (plan.keyed.length === 0 || only?.length === 0) return [];
  const N = plan.maxParallelism;
  const wanted = only?.map((i) => {
    const r = keyGroupRange(N, plan.parallelism, i);
    return { start: r.start, end: r.start + r.count - 1 };
  });
  const spans = wanted && sourceKeyGroupSpans(plan.op.maxParallelism, N, wanted);
  const sources: RawKeyedSource[] = [];
  const sctx: SourceContext = { ...ctx };
  for (const s of plan.keyed) sources.push(await rawSource(plan, s, spans, sctx));
  // a HashMap checkpoint's key-group handle means the heap format to Flink: the canonical files get savepoint handles
  const kind: KeyGroupsKind = sctx.heapSeen ? 'savepointKeyGroups' : plan.kind;
  const file = (st: { start: number; count: number }) => partName(plan, st.start, st.count);
  const part = (st: { index: number; start: number; count: number }, size: number, offsets: bigint[], entries: number, keyGroupsWithData: number): WrittenPart => ({
    operatorId: plan.op.operatorId,
    index: st.index,
    start: st.start,
    count: st.count,
    file: file(st),
    size,
    offsets,
    entries,
    keyGroupsWithData,
    kind,
  });
  const parts: WrittenPart[] = [];
  // the same max parallelism: every key stays in its key group, written key group by key group;
  // a new one moves keys between key groups: gathered (and sorted on disk past the memory budget) first
  const streamed =
    plan.op.maxParallelism === N ? streamEntries(sources, N, plan.parallelism, only) : spillEntries(sources, N, plan.parallelism, only, ctx.spill);
  const compressed = ctx.compress ?? streamed.header.compressed;
  try {
    for (const st of streamed.subtasks) {
      const out = streamCanonicalKeyedState({ header: streamed.header.raw, keyGroupStart: st.start, keyGroupCount: st.count, maxParallelism: N, keyGroups: st.keyGroups, compressed, framing: ctx.framing });
      let size = 0;
      await ctx.output.write(file(st), counted(out.chunks, (n) => (size += n)));
      parts.push(part(st, size, out.offsets, st.stats.entries, st.stats.keyGroupsWithData));
    }
  } finally {
    await streamed.close();
  }
  return parts;
}

/** `chunks`, telling `seen` the length of each as it passes. */
async function* counted(chunks: AsyncIterable<Uint8Array>, seen: (n: number) => void): AsyncGenerator<Uint8Array> {
  for await (const c of chunks) {
    seen(c.length);
    yield c;
  }
}

/** A UUID-shaped id that is the same for the same output, operator and subtask (Flink only needs it unique). */
function stateHandleId(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

export interface BuildContext {
  relocatable: boolean;
  /** The URI a file of the new savepoint will have. */
  uri(name: string): string;
}

/** The operator's new state from its written parts (every new subtask's, in subtask order). */
export function buildOperator(plan: OperatorPlan, parts: readonly WrittenPart[], ctx: BuildContext): OperatorState {
  const { op, maxParallelism: N, parallelism: newP } = plan;
  if (plan.keyed.length === 0) return { ...op, maxParallelism: N };
  const subtasks: SubtaskState[] = parts.map((p) => {
    const delegate: StreamStateHandle = ctx.relocatable
      ? { kind: 'relativeFile', relativePath: p.file, size: BigInt(p.size) }
      : { kind: 'file', path: ctx.uri(p.file), size: BigInt(p.size) };
    const range = { start: p.start, count: p.count };
    const handle: KeyedStateHandle =
      p.kind === 'savepointKeyGroups'
        ? { kind: 'savepointKeyGroups', keyGroupRange: range, offsets: p.offsets, delegate }
        : { kind: 'keyGroups', keyGroupRange: range, offsets: p.offsets, delegate, ...(plan.withId ? { stateHandleId: stateHandleId(`${ctx.uri(p.file)}\n${p.index}`) } : {}) };
    const old = newP === op.parallelism ? op.subtasks.find((s) => s.index === p.index) : undefined;
    return {
      ...(old ?? { index: p.index, managedOperatorState: null, rawOperatorState: null, rawKeyedState: null, inputChannelState: [], resultSubpartitionState: [] }),
      index: p.index,
      managedKeyedState: handle,
    };
  });
  return { ...op, maxParallelism: N, parallelism: newP, subtasks };
}
