import type {
  InputChannelStateHandle,
  KeyedStateHandle,
  OperatorStateHandle,
  ResultSubpartitionStateHandle,
  StreamStateHandle,
  SubtaskState,
} from './model.js';

/** Bytes a stream handle points at (inline data length, file or segment size). */
export function streamStateSize(h: StreamStateHandle | null): bigint {
  if (h === null) return 0n;
  switch (h.kind) {
    case 'byteStream':
      return BigInt(h.data.length);
    case 'file':
    case 'relativeFile':
    case 'segmentFile':
      return h.size;
    case 'emptySegmentFile':
      return 0n;
    case 'keyGroups':
      return streamStateSize(h.delegate);
  }
}

/** Full size of a keyed handle (all files it references, as Flink's `getStateSize`). */
export function keyedStateSize(h: KeyedStateHandle | null): bigint {
  if (h === null) return 0n;
  switch (h.kind) {
    case 'keyGroups':
    case 'savepointKeyGroups':
      return streamStateSize(h.delegate);
    case 'incremental': {
      let n = streamStateSize(h.metaStateHandle);
      for (const e of h.sharedState) n += streamStateSize(e.handle);
      for (const e of h.privateState) n += streamStateSize(e.handle);
      return n;
    }
    case 'changelog': {
      let n = 0n;
      for (const m of h.materialized) n += keyedStateSize(m);
      for (const m of h.nonMaterialized) n += keyedStateSize(m);
      return n;
    }
    case 'inMemoryChangelog':
      return h.changes.reduce((n, c) => n + BigInt(c.data.length), 0n);
    case 'changelogFile':
      return h.stateSize;
  }
}

export function operatorStateSize(h: OperatorStateHandle | null): bigint {
  return h === null ? 0n : streamStateSize(h.delegate);
}

export function channelStateSize(
  hs: readonly (InputChannelStateHandle | ResultSubpartitionStateHandle)[],
): bigint {
  return hs.reduce((n, h) => n + h.stateSize, 0n);
}

/** State size of one subtask by kind of state. */
export interface SubtaskStateSizes {
  managedKeyed: bigint;
  rawKeyed: bigint;
  managedOperator: bigint;
  rawOperator: bigint;
  inputChannel: bigint;
  resultSubpartition: bigint;
  legacy: bigint;
}

export function subtaskStateSizes(s: SubtaskState): SubtaskStateSizes {
  const chain = (hs: (OperatorStateHandle | null)[] | undefined) =>
    (hs ?? []).reduce((n, h) => n + operatorStateSize(h), 0n);
  return {
    managedKeyed: keyedStateSize(s.managedKeyedState),
    rawKeyed: keyedStateSize(s.rawKeyedState),
    managedOperator: operatorStateSize(s.managedOperatorState) + chain(s.chain?.managed),
    rawOperator: operatorStateSize(s.rawOperatorState) + chain(s.chain?.raw),
    inputChannel: channelStateSize(s.inputChannelState),
    resultSubpartition: channelStateSize(s.resultSubpartitionState),
    legacy: (s.legacy?.legacyOperatorState ?? []).reduce((n, h) => n + streamStateSize(h), 0n),
  };
}

/** Whether a subtask holds any state handle at all. */
export function hasState(s: SubtaskState): boolean {
  return (
    s.managedKeyedState !== null ||
    s.rawKeyedState !== null ||
    s.managedOperatorState !== null ||
    s.rawOperatorState !== null ||
    s.inputChannelState.length > 0 ||
    s.resultSubpartitionState.length > 0 ||
    (s.chain?.managed.some((h) => h !== null) ?? false) ||
    (s.chain?.raw.some((h) => h !== null) ?? false) ||
    (s.legacy?.legacyOperatorState.some((h) => h !== null) ?? false)
  );
}
