import type { ByteReader } from '../binary/reader.js';
import type { ByteWriter } from '../binary/writer.js';
import type { DistributionMode, OperatorStateEntry, OperatorStateHandle } from '../model.js';
import { readRequiredStreamHandle, writeStreamHandle } from './stream.js';
import { Tag, type DecodeContext, type EncodeContext } from './tags.js';

/** Ordinals of Flink's `OperatorStateHandle.Mode`. */
export const DISTRIBUTION_MODES: readonly DistributionMode[] = ['SPLIT_DISTRIBUTE', 'UNION', 'BROADCAST'];

/** Reads an operator state handle (tags 0, 4, 17); `null` for tag 0. Flink reads it signed. */
export function readOperatorHandle(r: ByteReader, ctx: DecodeContext): OperatorStateHandle | null {
  const at = r.offset;
  const tag = r.i8('operator handle tag');
  if (tag === Tag.NULL) return null;
  if (tag !== Tag.OPERATOR_STREAM && tag !== Tag.SEGMENT_OPERATOR_STREAM) {
    throw r.error('UnknownTag', `unknown operator state handle tag ${tag}`, at);
  }
  r.enter('states');
  const states = readStateEntries(r);
  r.leave();
  if (tag === Tag.OPERATOR_STREAM) {
    return { kind: 'operatorStream', states, delegate: readRequiredStreamHandle(r, ctx, 'delegate') };
  }
  const taskOwnedDir = r.utf('task-owned directory');
  const sharedDir = r.utf('shared directory');
  const flag = r.u8('isEmpty');
  const delegateAt = r.offset;
  const delegate = readRequiredStreamHandle(r, ctx, 'delegate');
  if (delegate.kind !== 'segmentFile' && delegate.kind !== 'emptySegmentFile') {
    throw r.error('BadValue', `file-merging operator state needs a segment delegate, found ${delegate.kind}`, delegateAt);
  }
  return {
    kind: 'fileMergingOperatorStream',
    states,
    taskOwnedDir,
    sharedDir,
    isEmpty: flag !== 0,
    ...(flag > 1 ? { isEmptyRaw: flag } : {}),
    delegate,
  };
}

function readStateEntries(r: ByteReader): OperatorStateEntry[] {
  const n = r.count('number of named states', 7);
  const out: OperatorStateEntry[] = [];
  for (let i = 0; i < n; i++) {
    r.enter(i);
    const name = r.utf('state name');
    const modeAt = r.offset;
    const ordinal = r.i8('distribution mode');
    const mode = DISTRIBUTION_MODES[ordinal];
    if (mode === undefined) {
      throw r.error('BadValue', `distribution mode ordinal ${ordinal} is not 0, 1 or 2`, modeAt);
    }
    const count = r.count('number of offsets', 8);
    const offsets: bigint[] = new Array<bigint>(count);
    for (let j = 0; j < count; j++) offsets[j] = r.i64('partition offset');
    r.leave();
    out.push({ name, mode, offsets });
  }
  return out;
}

export function writeOperatorHandle(
  w: ByteWriter,
  h: OperatorStateHandle | null,
  ctx: EncodeContext,
): void {
  if (h === null) {
    w.u8(Tag.NULL);
    return;
  }
  if (h.kind !== 'operatorStream' && h.kind !== 'fileMergingOperatorStream') {
    throw w.invalid(`unknown operator handle kind ${String((h as { kind: unknown }).kind)}`);
  }
  w.u8(h.kind === 'operatorStream' ? Tag.OPERATOR_STREAM : Tag.SEGMENT_OPERATOR_STREAM);
  w.count(h.states.length, 'number of named states');
  for (let i = 0; i < h.states.length; i++) {
    const s = h.states[i]!;
    w.enter2('states', i);
    w.utf(s.name, 'state name');
    const ordinal = DISTRIBUTION_MODES.indexOf(s.mode);
    if (ordinal < 0) throw w.invalid(`unknown distribution mode ${String(s.mode)}`);
    w.u8(ordinal);
    w.count(s.offsets.length, 'number of offsets');
    for (const o of s.offsets) w.i64(o, 'partition offset');
    w.leave2();
  }
  if (h.kind === 'fileMergingOperatorStream') {
    w.utf(h.taskOwnedDir, 'task-owned directory');
    w.utf(h.sharedDir, 'shared directory');
    if (h.isEmptyRaw !== undefined && (h.isEmptyRaw < 2 || h.isEmptyRaw > 255 || !h.isEmpty)) {
      throw w.invalid(`isEmptyRaw ${h.isEmptyRaw} must be 2..255 and isEmpty true`);
    }
    w.u8(h.isEmptyRaw ?? (h.isEmpty ? 1 : 0), 'isEmpty');
  }
  w.enter('delegate');
  writeStreamHandle(w, h.delegate, ctx);
  w.leave();
}
