import type {
  CheckpointMetadata,
  InputChannelStateHandle,
  KeyedStateHandle,
  OperatorStateHandle,
  ResultSubpartitionStateHandle,
  StreamStateHandle,
  SubtaskState,
} from './model.js';

/**
 * Rewrites one stream handle (a file, inline bytes, a segment …); `path` is its model path, `need`
 * how many bytes of its stream the handle pointing into it needs: its largest offset (key groups,
 * operator state partitions, channel buffers, a changelog segment), 0 when nothing points in.
 */
export type StreamHandleMapper = (h: StreamStateHandle, path: string, need: bigint) => StreamStateHandle;

/** Sees one stream handle (see {@link StreamHandleMapper}). */
export type StreamHandleVisitor = (h: StreamStateHandle, path: string, need: bigint) => void;

const maxOffset = (offsets: readonly bigint[]): bigint => offsets.reduce((m, o) => (o > m ? o : m), 0n);

/** The walk over every stream handle of `meta`, in model order: {@link mapStreamHandles} without a copy kept. */
export function forEachStreamHandle(meta: CheckpointMetadata, fn: StreamHandleVisitor): void {
  mapStreamHandles(meta, (h, path, need) => {
    fn(h, path, need);
    return h;
  });
}

/**
 * A copy of `meta` in which every stream handle (delegates, shared/private files, meta handles,
 * changelog segments, channel-state delegates, legacy handles, coordinator state) went through
 * `fn`. Nothing else changes. Key-group handles in stream positions are visited as a whole and
 * then their delegate.
 */
export function mapStreamHandles(meta: CheckpointMetadata, fn: StreamHandleMapper): CheckpointMetadata {
  const stream = (h: StreamStateHandle, path: string, need = 0n): StreamStateHandle => {
    const m = fn(h, path, need);
    return m.kind === 'keyGroups' ? { ...m, delegate: stream(m.delegate, `${path}.delegate`, maxOffset(m.offsets)) } : m;
  };
  const opt = (h: StreamStateHandle | null, path: string) => (h === null ? null : stream(h, path));
  const keyed = (h: KeyedStateHandle | null, path: string): KeyedStateHandle | null => {
    if (h === null) return null;
    switch (h.kind) {
      case 'keyGroups':
      case 'savepointKeyGroups':
        return { ...h, delegate: stream(h.delegate, `${path}.delegate`, maxOffset(h.offsets)) };
      case 'incremental':
        return {
          ...h,
          metaStateHandle: stream(h.metaStateHandle, `${path}.metaStateHandle`),
          sharedState: h.sharedState.map((e, i) => ({ ...e, handle: stream(e.handle, `${path}.sharedState[${i}]`) })),
          privateState: h.privateState.map((e, i) => ({ ...e, handle: stream(e.handle, `${path}.privateState[${i}]`) })),
        };
      case 'changelog':
        return {
          ...h,
          materialized: h.materialized.map((m, i) => keyed(m, `${path}.materialized[${i}]`)),
          nonMaterialized: h.nonMaterialized.map((m, i) => keyed(m, `${path}.nonMaterialized[${i}]`)!),
        };
      case 'changelogFile':
        return { ...h, segments: h.segments.map((s, i) => ({ ...s, handle: stream(s.handle, `${path}.segments[${i}].handle`, s.offset) })) };
      case 'inMemoryChangelog':
        return h;
    }
  };
  const operator = (h: OperatorStateHandle | null, path: string): OperatorStateHandle | null =>
    h === null ? null : { ...h, delegate: stream(h.delegate, `${path}.delegate`, maxOffset(h.states.flatMap((s) => s.offsets))) };
  const channel = <T extends InputChannelStateHandle | ResultSubpartitionStateHandle>(h: T, path: string): T => ({
    ...h,
    // merged channels keep their offsets per channel, which verify has never counted
    delegate: stream(h.delegate, `${path}.delegate`, 'offsets' in h ? maxOffset(h.offsets) : 0n),
  });
  const subtask = (s: SubtaskState, p: string): SubtaskState => {
    const out: SubtaskState = {
      ...s,
      managedOperatorState: operator(s.managedOperatorState, `${p}.managedOperatorState`),
      rawOperatorState: operator(s.rawOperatorState, `${p}.rawOperatorState`),
      managedKeyedState: keyed(s.managedKeyedState, `${p}.managedKeyedState`),
      rawKeyedState: keyed(s.rawKeyedState, `${p}.rawKeyedState`),
      inputChannelState: s.inputChannelState.map((h, i) => channel(h, `${p}.inputChannelState[${i}]`)),
      resultSubpartitionState: s.resultSubpartitionState.map((h, i) => channel(h, `${p}.resultSubpartitionState[${i}]`)),
    };
    if (s.legacy) {
      out.legacy = { ...s.legacy, legacyOperatorState: s.legacy.legacyOperatorState.map((h, i) => opt(h, `${p}.legacy.legacyOperatorState[${i}]`)) };
    }
    if (s.chain) {
      out.chain = {
        managed: s.chain.managed.map((h, i) => operator(h, `${p}.chain.managed[${i}]`)),
        raw: s.chain.raw.map((h, i) => operator(h, `${p}.chain.raw[${i}]`)),
      };
    }
    return out;
  };
  return {
    ...meta,
    operators: meta.operators.map((op, i) => ({
      ...op,
      coordinatorState: opt(op.coordinatorState, `operators[${i}].coordinatorState`),
      subtasks: op.subtasks.map((s, j) => subtask(s, `operators[${i}].subtasks[${j}]`)),
    })),
  };
}
