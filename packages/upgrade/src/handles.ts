import type { CheckpointMetadata, KeyedStateHandle, OperatorStateHandle, StreamStateHandle } from '@ckpt/format';

/** Where a handle sits; Flink's reader names the position in its error for an unknown code. */
export type HandlePosition = 'keyed' | 'operator' | 'stream';

/** A handle type code found in `_metadata`, with the first operator holding it. */
export interface HandleCode {
  code: number;
  position: HandlePosition;
  operatorId: string;
}

/** The type code a handle of the model is written with (`MetadataV2V3SerializerBase`). */
function streamCode(h: StreamStateHandle): number {
  switch (h.kind) {
    case 'byteStream':
      return 1;
    case 'file':
      return 2;
    case 'relativeFile':
      return 6;
    case 'segmentFile':
      return 15;
    case 'emptySegmentFile':
      return 16;
    case 'keyGroups':
      return h.stateHandleId === undefined ? 3 : 12;
  }
}

function keyedCode(h: KeyedStateHandle): number {
  switch (h.kind) {
    case 'keyGroups':
      return h.stateHandleId === undefined ? 3 : 12;
    case 'savepointKeyGroups':
      return 7;
    case 'incremental':
      return h.stateHandleId === undefined ? 5 : 11;
    case 'changelog':
      return h.checkpointId === undefined ? 8 : 14;
    case 'inMemoryChangelog':
      return 9;
    case 'changelogFile':
      return h.storageIdentifier === undefined ? 10 : 13;
  }
}

/** Every handle type code of the checkpoint, once per (code, position), in first-seen order. */
export function handleCodes(m: CheckpointMetadata): HandleCode[] {
  const seen = new Map<string, HandleCode>();
  const add = (code: number, position: HandlePosition, operatorId: string) => {
    const k = `${code}/${position}`;
    if (!seen.has(k)) seen.set(k, { code, position, operatorId });
  };
  for (const op of m.operators) {
    const id = op.operatorId;
    const stream = (h: StreamStateHandle | null): void => {
      if (!h) return;
      add(streamCode(h), 'stream', id);
      if (h.kind === 'keyGroups') stream(h.delegate);
    };
    const keyed = (h: KeyedStateHandle | null): void => {
      if (!h) return;
      add(keyedCode(h), 'keyed', id);
      switch (h.kind) {
        case 'keyGroups':
        case 'savepointKeyGroups':
          return stream(h.delegate);
        case 'incremental':
          stream(h.metaStateHandle);
          for (const f of [...h.sharedState, ...h.privateState]) stream(f.handle);
          return;
        case 'changelog':
          for (const x of [...h.materialized, ...h.nonMaterialized]) keyed(x);
          return;
        case 'changelogFile':
          for (const s of h.segments) stream(s.handle);
          return;
        case 'inMemoryChangelog':
          return;
      }
    };
    const operator = (h: OperatorStateHandle | null): void => {
      if (!h) return;
      add(h.kind === 'operatorStream' ? 4 : 17, 'operator', id);
      stream(h.delegate);
    };
    stream(op.coordinatorState);
    for (const s of op.subtasks) {
      keyed(s.managedKeyedState);
      keyed(s.rawKeyedState);
      operator(s.managedOperatorState);
      operator(s.rawOperatorState);
      for (const c of [...s.inputChannelState, ...s.resultSubpartitionState]) stream(c.delegate);
      if (s.chain) for (const h of [...s.chain.managed, ...s.chain.raw]) operator(h);
      if (s.legacy) for (const h of s.legacy.legacyOperatorState) stream(h);
    }
  }
  return [...seen.values()];
}

/** Flink's message when its registry does not know a handle code (`MetadataV2V3SerializerBase`). */
export function unknownHandleMessage(h: Pick<HandleCode, 'code' | 'position'>): string {
  switch (h.position) {
    case 'keyed':
      return `Reading invalid KeyedStateHandle, type: ${h.code}`;
    case 'operator':
      return `Reading invalid OperatorStateHandle, type: ${h.code}`;
    case 'stream':
      return `Unknown implementation of StreamStateHandle, code: ${h.code}`;
  }
}
