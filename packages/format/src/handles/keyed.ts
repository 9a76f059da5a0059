import type { ByteReader } from '../binary/reader.js';
import type { ByteWriter } from '../binary/writer.js';
import type { HandleAndLocalPath, KeyedStateHandle } from '../model.js';
import {
  readChangelogFileHandle,
  readChangelogHandle,
  readInMemoryChangelogHandle,
  writeChangelogFileHandle,
  writeChangelogHandle,
  writeInMemoryChangelogHandle,
} from './changelog.js';
import {
  readKeyGroupRange,
  readKeyGroupsBody,
  writeKeyGroupRange,
  writeKeyGroupsBody,
} from './key-groups.js';
import { readRequiredStreamHandle, writeStreamHandle } from './stream.js';
import { Tag, type DecodeContext, type EncodeContext } from './tags.js';

/** Reads a keyed state handle; `null` for tag 0. Flink reads this tag signed. */
export function readKeyedHandle(r: ByteReader, ctx: DecodeContext): KeyedStateHandle | null {
  r.descend();
  const h = readKeyedHandleInner(r, ctx);
  r.ascend();
  return h;
}

function readKeyedHandleInner(r: ByteReader, ctx: DecodeContext): KeyedStateHandle | null {
  const at = r.offset;
  const tag = r.i8('keyed handle tag');
  switch (tag) {
    case Tag.NULL:
      return null;
    case Tag.KEY_GROUPS:
      return readKeyGroupsBody(r, ctx, 'keyGroups');
    case Tag.KEY_GROUPS_V2: {
      const h = readKeyGroupsBody(r, ctx, 'keyGroups');
      h.stateHandleId = r.utf('state handle id');
      return h;
    }
    case Tag.SAVEPOINT_KEY_GROUPS:
      return readKeyGroupsBody(r, ctx, 'savepointKeyGroups');
    case Tag.INCREMENTAL:
    case Tag.INCREMENTAL_V2:
      return readIncremental(r, ctx, tag === Tag.INCREMENTAL_V2);
    case Tag.CHANGELOG:
    case Tag.CHANGELOG_V2:
      return readChangelogHandle(r, ctx, tag === Tag.CHANGELOG_V2);
    case Tag.CHANGELOG_BYTES:
      return readInMemoryChangelogHandle(r, ctx);
    case Tag.CHANGELOG_FILE:
    case Tag.CHANGELOG_FILE_V2:
      return readChangelogFileHandle(r, ctx, tag === Tag.CHANGELOG_FILE_V2);
    default:
      throw r.error('UnknownTag', `unknown keyed state handle tag ${tag}`, at);
  }
}

export function writeKeyedHandle(
  w: ByteWriter,
  h: KeyedStateHandle | null,
  ctx: EncodeContext,
): void {
  w.descend();
  writeKeyedHandleInner(w, h, ctx);
  w.ascend();
}

function writeKeyedHandleInner(
  w: ByteWriter,
  h: KeyedStateHandle | null,
  ctx: EncodeContext,
): void {
  if (h === null) {
    w.u8(Tag.NULL);
    return;
  }
  switch (h.kind) {
    case 'keyGroups':
      w.u8(h.stateHandleId === undefined ? Tag.KEY_GROUPS : Tag.KEY_GROUPS_V2);
      writeKeyGroupsBody(w, h, ctx);
      if (h.stateHandleId !== undefined) w.utf(h.stateHandleId, 'state handle id');
      return;
    case 'savepointKeyGroups':
      w.u8(Tag.SAVEPOINT_KEY_GROUPS);
      writeKeyGroupsBody(w, h, ctx);
      return;
    case 'incremental':
      writeIncremental(w, h, ctx);
      return;
    case 'changelog':
      writeChangelogHandle(w, h, ctx);
      return;
    case 'inMemoryChangelog':
      writeInMemoryChangelogHandle(w, h);
      return;
    case 'changelogFile':
      writeChangelogFileHandle(w, h, ctx);
      return;
    default:
      throw w.invalid(`unknown keyed handle kind ${String((h as { kind: unknown }).kind)}`);
  }
}

// ------------------------------------------------------------ incremental (tags 5 and 11)

function readIncremental(
  r: ByteReader,
  ctx: DecodeContext,
  v2: boolean,
): KeyedStateHandle {
  const checkpointId = r.i64('checkpoint id');
  const backendId = r.utf('backend id');
  const keyGroupRange = readKeyGroupRange(r);
  const checkpointedSize = v2 ? r.i64('checkpointed size') : undefined;
  const metaStateHandle = readRequiredStreamHandle(r, ctx, 'metaStateHandle');
  r.enter('sharedState');
  const sharedState = readHandleList(r, ctx);
  r.leave();
  r.enter('privateState');
  const privateState = readHandleList(r, ctx);
  r.leave();
  const h: KeyedStateHandle = {
    kind: 'incremental',
    checkpointId,
    backendId,
    keyGroupRange,
    ...(checkpointedSize === undefined ? {} : { checkpointedSize }),
    metaStateHandle,
    sharedState,
    privateState,
  };
  if (v2) h.stateHandleId = r.utf('state handle id');
  return h;
}

function writeIncremental(
  w: ByteWriter,
  h: Extract<KeyedStateHandle, { kind: 'incremental' }>,
  ctx: EncodeContext,
): void {
  const v2 = h.checkpointedSize !== undefined;
  if (v2 !== (h.stateHandleId !== undefined)) {
    throw w.invalid('incremental handle needs both checkpointedSize and stateHandleId, or neither');
  }
  w.u8(v2 ? Tag.INCREMENTAL_V2 : Tag.INCREMENTAL);
  w.i64(h.checkpointId, 'checkpoint id');
  w.utf(h.backendId, 'backend id');
  writeKeyGroupRange(w, h.keyGroupRange);
  if (h.checkpointedSize !== undefined) w.i64(h.checkpointedSize, 'checkpointed size');
  w.enter('metaStateHandle');
  writeStreamHandle(w, h.metaStateHandle, ctx);
  w.leave();
  w.enter('sharedState');
  writeHandleList(w, h.sharedState, ctx);
  w.leave();
  w.enter('privateState');
  writeHandleList(w, h.privateState, ctx);
  w.leave();
  if (h.stateHandleId !== undefined) w.utf(h.stateHandleId, 'state handle id');
}

function readHandleList(r: ByteReader, ctx: DecodeContext): HandleAndLocalPath[] {
  const n = r.count('number of files', 3);
  const out: HandleAndLocalPath[] = [];
  for (let i = 0; i < n; i++) {
    r.enter(i);
    const localPath = r.utf('local path');
    const handle = readRequiredStreamHandle(r, ctx, 'handle');
    r.leave();
    out.push({ localPath, handle });
  }
  return out;
}

function writeHandleList(w: ByteWriter, list: HandleAndLocalPath[], ctx: EncodeContext): void {
  w.count(list.length, 'number of files');
  for (let i = 0; i < list.length; i++) {
    const e = list[i]!;
    w.enter(i);
    w.utf(e.localPath, 'local path');
    writeStreamHandle(w, e.handle, ctx);
    w.leave();
  }
}
