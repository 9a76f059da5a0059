import type { ByteReader } from '../binary/reader.js';
import type { ByteWriter } from '../binary/writer.js';
import type { StreamStateHandle } from '../model.js';
import { readKeyGroupsBody, writeKeyGroupsBody } from './key-groups.js';
import { Tag, type DecodeContext, type EncodeContext } from './tags.js';

/**
 * Reads a stream state handle (tags 0, 1, 2, 3, 6, 15, 16); `null` for tag 0.
 * Flink reads this tag unsigned.
 */
export function readStreamHandle(r: ByteReader, ctx: DecodeContext): StreamStateHandle | null {
  r.descend();
  const h = readStreamHandleInner(r, ctx);
  r.ascend();
  return h;
}

function readStreamHandleInner(r: ByteReader, ctx: DecodeContext): StreamStateHandle | null {
  const at = r.offset;
  const tag = r.u8('stream handle tag');
  switch (tag) {
    case Tag.NULL:
      return null;
    case Tag.BYTE_STREAM: {
      const name = r.utf('handle name');
      const data = r.lengthPrefixed('inline state');
      return { kind: 'byteStream', name, data };
    }
    case Tag.FILE: {
      const size = r.i64('state size');
      const path = r.utf('file path');
      return { kind: 'file', path, size };
    }
    case Tag.RELATIVE_FILE: {
      const relativePath = r.utf('relative path');
      const size = r.i64('state size');
      return { kind: 'relativeFile', relativePath, size };
    }
    case Tag.KEY_GROUPS:
      return readKeyGroupsBody(r, ctx, 'keyGroups');
    case Tag.SEGMENT_FILE: {
      const startPos = r.i64('segment start');
      const size = r.i64('state size');
      const scopeAt = r.offset;
      const scope = r.i32('scope');
      if (scope !== 0 && scope !== 1) {
        throw r.error('BadValue', `checkpointed-state scope ordinal ${scope} is not 0 or 1`, scopeAt);
      }
      const physicalPath = r.utf('physical file path');
      const logicalFileId = r.utf('logical file id');
      return { kind: 'segmentFile', startPos, size, scope, physicalPath, logicalFileId };
    }
    case Tag.EMPTY_SEGMENT_FILE:
      return { kind: 'emptySegmentFile' };
    default:
      throw r.error('UnknownTag', `unknown stream state handle tag ${tag}`, at);
  }
}

/** Reads a stream handle that must be present (tag 0 is an error). */
export function readRequiredStreamHandle(
  r: ByteReader,
  ctx: DecodeContext,
  what: string,
): StreamStateHandle {
  const at = r.offset;
  r.enter(what);
  const h = readStreamHandle(r, ctx);
  r.leave();
  if (h === null) throw r.error('BadValue', `${what} must not be a null handle`, at);
  return h;
}

export function writeStreamHandle(
  w: ByteWriter,
  h: StreamStateHandle | null,
  ctx: EncodeContext,
): void {
  w.descend();
  writeStreamHandleInner(w, h, ctx);
  w.ascend();
}

function writeStreamHandleInner(
  w: ByteWriter,
  h: StreamStateHandle | null,
  ctx: EncodeContext,
): void {
  if (h === null) {
    w.u8(Tag.NULL);
    return;
  }
  switch (h.kind) {
    case 'byteStream':
      w.u8(Tag.BYTE_STREAM);
      w.utf(h.name, 'handle name');
      w.lengthPrefixed(h.data, 'inline state');
      return;
    case 'file':
      w.u8(Tag.FILE);
      w.i64(h.size, 'state size');
      w.utf(h.path, 'file path');
      return;
    case 'relativeFile':
      w.u8(Tag.RELATIVE_FILE);
      w.utf(h.relativePath, 'relative path');
      w.i64(h.size, 'state size');
      return;
    case 'keyGroups':
      if (h.stateHandleId !== undefined) {
        throw w.invalid('a key-groups handle in a stream-handle position cannot carry a stateHandleId');
      }
      w.u8(Tag.KEY_GROUPS);
      writeKeyGroupsBody(w, h, ctx);
      return;
    case 'segmentFile':
      w.u8(Tag.SEGMENT_FILE);
      w.i64(h.startPos, 'segment start');
      w.i64(h.size, 'state size');
      if (h.scope !== 0 && h.scope !== 1) throw w.invalid(`scope must be 0 or 1, got ${h.scope}`);
      w.i32(h.scope, 'scope');
      w.utf(h.physicalPath, 'physical file path');
      w.utf(h.logicalFileId, 'logical file id');
      return;
    case 'emptySegmentFile':
      w.u8(Tag.EMPTY_SEGMENT_FILE);
      return;
    default:
      throw w.invalid(`unknown stream handle kind ${String((h as { kind: unknown }).kind)}`);
  }
}
