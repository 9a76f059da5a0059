import type { ByteReader } from './binary/reader.js';
import type { ByteWriter } from './binary/writer.js';
import { readStreamHandle, writeStreamHandle } from './handles/stream.js';
import type { DecodeContext, EncodeContext } from './handles/tags.js';
import type { OperatorState, SubtaskState } from './model.js';
import { emptySubtask, readSubtaskBody, writeSubtaskBody } from './subtask.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Operator id: 16 bytes (lower long, upper long) = the 32 hex digits Flink prints. */
function readOperatorId(r: ByteReader): string {
  const raw = r.raw(16, 'operator id');
  let s = '';
  for (const b of raw) s += HEX[b];
  return s;
}

function writeOperatorId(w: ByteWriter, id: string): void {
  if (typeof id !== 'string' || id.length !== 32) {
    throw w.invalid(`operator id must be 32 hex digits, got ${JSON.stringify(id)}`);
  }
  w.hexBytes(id, 'operator id');
}

/** Reads one operator record (V1: a task record) for the file's version. */
export function readOperatorState(r: ByteReader, ctx: DecodeContext): OperatorState {
  const { op, subtasks } = readOperatorHeader(r, ctx);
  for (let i = 0; i < subtasks; i++) {
    r.enter2('subtasks', i);
    op.subtasks.push(readSubtask(r, ctx));
    r.leave2();
  }
  return op;
}

/**
 * Reads an operator record up to its subtasks: the operator (with no subtasks yet) and how many
 * subtask records follow.
 */
export function readOperatorHeader(r: ByteReader, ctx: DecodeContext): { op: OperatorState; subtasks: number } {
  const v = ctx.version;
  const op: OperatorState = {
    operatorId: '',
    parallelism: 0,
    maxParallelism: 0,
    coordinatorState: null,
    subtasks: [],
  };
  if (v >= 5) {
    const name = r.utf('operator name');
    const uid = r.utf('operator uid');
    if (name !== '') op.name = name;
    if (uid !== '') op.uid = uid;
  }
  op.operatorId = readOperatorId(r);
  op.parallelism = r.i32('parallelism');
  op.maxParallelism = r.i32('max parallelism');
  if (v <= 2) op.chainLength = r.i32('chain length');
  if (v >= 3) {
    const at = r.offset;
    r.enter('coordinatorState');
    const coordinator = readStreamHandle(r, ctx);
    r.leave();
    if (coordinator !== null && coordinator.kind !== 'byteStream') {
      throw r.error('BadValue', `coordinator state must be inline bytes, found ${coordinator.kind}`, at);
    }
    op.coordinatorState = coordinator;
  }
  const countAt = r.offset;
  const n = r.i32('number of subtasks');
  if (n < 0) {
    if (v < 3) throw r.error('BadLength', `number of subtasks ${n} is negative`, countAt);
    if (op.coordinatorState !== null) {
      throw r.error('BadValue', 'a fully finished operator must not have coordinator state', countAt);
    }
    op.finishedMarker = n;
    return { op, subtasks: 0 };
  }
  if (n * 4 > r.remaining) {
    throw r.error('Truncated', `${n} subtasks need at least ${n * 4} bytes, ${r.remaining} remain`, countAt);
  }
  return { op, subtasks: n };
}

/** One subtask record: its index (negative: finished, V3+) and its state. */
export function readSubtask(r: ByteReader, ctx: DecodeContext): SubtaskState {
  const encoded = r.i32('subtask index');
  if (encoded < 0 && ctx.version >= 3) {
    return { ...emptySubtask(-encoded - 1), finished: true };
  }
  return readSubtaskBody(r, ctx, encoded);
}

export function writeOperatorState(w: ByteWriter, op: OperatorState, ctx: EncodeContext): void {
  const v = ctx.version;
  if (v >= 5) {
    if (op.name === '' || op.uid === '') throw w.invalid('an empty name/uid is written as undefined');
    w.utf(op.name ?? '', 'operator name');
    w.utf(op.uid ?? '', 'operator uid');
  } else if (op.name !== undefined || op.uid !== undefined) {
    throw w.invalid(`operator name and uid need metadata version 5 or later (writing ${v})`);
  }
  writeOperatorId(w, op.operatorId);
  w.i32(op.parallelism, 'parallelism');
  w.i32(op.maxParallelism, 'max parallelism');
  if (v <= 2) w.i32(op.chainLength ?? 1, 'chain length');
  if (v >= 3) {
    const c = op.coordinatorState;
    if (c !== null && c.kind !== 'byteStream') throw w.invalid('coordinator state must be inline bytes');
    w.enter('coordinatorState');
    writeStreamHandle(w, c, ctx);
    w.leave();
  } else if (op.coordinatorState !== null) {
    throw w.invalid(`coordinator state cannot be written in metadata version ${v}`);
  }
  if (op.finishedMarker !== undefined) {
    if (v < 3 || op.finishedMarker >= 0) throw w.invalid('finishedMarker must be negative (V3+)');
    if (op.subtasks.length > 0 || op.coordinatorState !== null) {
      throw w.invalid('a fully finished operator has no subtasks and no coordinator state');
    }
    w.i32(op.finishedMarker, 'finished marker');
    return;
  }
  w.count(op.subtasks.length, 'number of subtasks');
  for (let i = 0; i < op.subtasks.length; i++) {
    w.enter2('subtasks', i);
    writeSubtask(w, op.subtasks[i]!, ctx);
    w.leave2();
  }
}

function writeSubtask(w: ByteWriter, s: SubtaskState, ctx: EncodeContext): void {
  const v = ctx.version;
  if (s.finished) {
    if (v < 3) throw w.invalid(`finished subtasks need metadata version 3 or later`);
    if (s.index < 0) throw w.invalid(`subtask index ${s.index} is negative`);
    w.i32(-s.index - 1, 'subtask index');
    return;
  }
  if (v >= 3 && s.index < 0) throw w.invalid(`subtask index ${s.index} is negative`);
  w.i32(s.index, 'subtask index');
  writeSubtaskBody(w, s, ctx);
}
