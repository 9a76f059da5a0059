import type { ByteReader } from '../binary/reader.js';
import type { ByteWriter } from '../binary/writer.js';
import type { KeyGroupRange, KeyGroupsHandle, SavepointKeyGroupsHandle, StreamStateHandle } from '../model.js';
import { readRequiredStreamHandle, writeStreamHandle } from './stream.js';
import type { DecodeContext, EncodeContext } from './tags.js';

/** `int start`, `int count`; a negative count is rejected (Flink cannot allocate it). */
export function readKeyGroupRange(r: ByteReader): KeyGroupRange {
  const start = r.i32('key-group range start');
  const at = r.offset;
  const count = r.i32('number of key groups');
  if (count < 0) throw r.error('BadLength', `number of key groups ${count} is negative`, at);
  return { start, count };
}

export function writeKeyGroupRange(w: ByteWriter, range: KeyGroupRange): void {
  w.i32(range.start, 'key-group range start');
  if (range.count < 0) throw w.invalid(`number of key groups ${range.count} is negative`);
  w.i32(range.count, 'number of key groups');
}

export interface KeyGroupsBody {
  keyGroupRange: KeyGroupRange;
  offsets: bigint[];
  delegate: StreamStateHandle;
}

/**
 * Range, one offset per key group, delegate stream handle (shared by tags 3, 7 and 12); returns
 * the handle of the given kind.
 */
export function readKeyGroupsBody<K extends 'keyGroups' | 'savepointKeyGroups'>(
  r: ByteReader,
  ctx: DecodeContext,
  kind: K,
): K extends 'keyGroups' ? KeyGroupsHandle : SavepointKeyGroupsHandle;
export function readKeyGroupsBody(
  r: ByteReader,
  ctx: DecodeContext,
  kind: 'keyGroups' | 'savepointKeyGroups',
): KeyGroupsHandle | SavepointKeyGroupsHandle {
  const keyGroupRange = readKeyGroupRange(r);
  const offsets = r.i64s(keyGroupRange.count, 'key-group offsets');
  const delegate = readRequiredStreamHandle(r, ctx, 'delegate');
  return { kind, keyGroupRange, offsets, delegate } as KeyGroupsHandle | SavepointKeyGroupsHandle;
}

export function writeKeyGroupsBody(w: ByteWriter, h: KeyGroupsBody, ctx: EncodeContext): void {
  writeKeyGroupRange(w, h.keyGroupRange);
  if (h.offsets.length !== h.keyGroupRange.count) {
    throw w.invalid(
      `offsets has ${h.offsets.length} entries but the key-group range has ${h.keyGroupRange.count}`,
    );
  }
  w.i64s(h.offsets, 'key-group offset');
  w.enter('delegate');
  writeStreamHandle(w, h.delegate, ctx);
  w.leave();
}
