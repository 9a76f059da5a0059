import type { ByteReader } from './binary/reader.js';
import type { ByteWriter } from './binary/writer.js';
import {
  readInputChannelHandles,
  readResultSubpartitionHandles,
  writeInputChannelHandles,
  writeResultSubpartitionHandles,
} from './handles/channel.js';
import { readKeyedHandle, writeKeyedHandle } from './handles/keyed.js';
import { readOperatorHandle, writeOperatorHandle } from './handles/operator.js';
import { readStreamHandle, writeStreamHandle } from './handles/stream.js';
import type { DecodeContext, EncodeContext } from './handles/tags.js';
import type { OperatorStateHandle, StreamStateHandle, SubtaskState } from './model.js';

/** A subtask with no state at all (what Flink reads for a finished subtask). */
export function emptySubtask(index: number): SubtaskState {
  return {
    index,
    managedOperatorState: null,
    rawOperatorState: null,
    managedKeyedState: null,
    rawKeyedState: null,
    inputChannelState: [],
    resultSubpartitionState: [],
  };
}

/** Reads the body of a subtask record (after its index) for the file's version. */
export function readSubtaskBody(r: ByteReader, ctx: DecodeContext, index: number): SubtaskState {
  const s = emptySubtask(index);
  const v = ctx.version;
  if (v <= 2) {
    const duration = r.i64('duration');
    const n = r.count('number of legacy handles', 1);
    const legacyOperatorState: (StreamStateHandle | null)[] = [];
    for (let i = 0; i < n; i++) {
      r.enter2('legacy.legacyOperatorState', i);
      legacyOperatorState.push(readStreamHandle(r, ctx));
      r.leave2();
    }
    s.legacy = { duration, legacyOperatorState };
  }
  if (v === 1) {
    s.chain = {
      managed: r.at('chain.managed', () => readChain(r, ctx)),
      raw: r.at('chain.raw', () => readChain(r, ctx)),
    };
  } else {
    const flags: [number, number] = [0, 0];
    r.enter('managedOperatorState');
    s.managedOperatorState = readFlagged(r, ctx, flags, 0);
    r.leave();
    r.enter('rawOperatorState');
    s.rawOperatorState = readFlagged(r, ctx, flags, 1);
    r.leave();
    if (flags[0] > 1 || flags[0] < 0 || flags[1] > 1 || flags[1] < 0) s.operatorStateFlagsRaw = flags;
  }
  r.enter('managedKeyedState');
  s.managedKeyedState = readKeyedHandle(r, ctx);
  r.leave();
  r.enter('rawKeyedState');
  s.rawKeyedState = readKeyedHandle(r, ctx);
  r.leave();
  if (v >= 3) {
    r.enter('inputChannelState');
    s.inputChannelState = readInputChannelHandles(r, ctx);
    r.leave();
    r.enter('resultSubpartitionState');
    s.resultSubpartitionState = readResultSubpartitionHandles(r, ctx);
    r.leave();
  }
  if (v >= 7) {
    const marker = r.u8('reference checkpoint marker');
    if (marker === 1) s.refCheckpointId = r.i64('reference checkpoint id');
    else if (marker !== 0) s.refMarkerRaw = marker;
  }
  return s;
}

function readChain(r: ByteReader, ctx: DecodeContext): (OperatorStateHandle | null)[] {
  const n = r.count('chain length', 1);
  const out: (OperatorStateHandle | null)[] = [];
  for (let i = 0; i < n; i++) {
    r.enter(i);
    out.push(readOperatorHandle(r, ctx));
    r.leave();
  }
  return out;
}

function readFlagged(
  r: ByteReader,
  ctx: DecodeContext,
  flags: [number, number],
  slot: 0 | 1,
): OperatorStateHandle | null {
  const flag = r.i32('presence flag');
  flags[slot] = flag;
  if (flag === 0) return null;
  const at = r.offset;
  const h = readOperatorHandle(r, ctx);
  if (h === null) {
    throw r.error('BadValue', 'operator state is flagged present but the handle is null', at);
  }
  return h;
}

export function writeSubtaskBody(w: ByteWriter, s: SubtaskState, ctx: EncodeContext): void {
  const v = ctx.version;
  if (v <= 2) {
    const legacy = s.legacy ?? { duration: -1n, legacyOperatorState: [] };
    w.i64(legacy.duration, 'duration');
    w.count(legacy.legacyOperatorState.length, 'number of legacy handles');
    legacy.legacyOperatorState.forEach((h, i) => {
      w.enter2('legacy.legacyOperatorState', i);
      writeStreamHandle(w, h, ctx);
      w.leave2();
    });
  }
  if (v === 1) {
    if (s.managedOperatorState !== null || s.rawOperatorState !== null) {
      throw w.invalid('version 1 stores operator state in `chain`; the single slots must be null');
    }
    const chain = s.chain ?? { managed: [], raw: [] };
    w.at('chain.managed', () => writeChain(w, chain.managed, ctx));
    w.at('chain.raw', () => writeChain(w, chain.raw, ctx));
  } else {
    if (s.chain !== undefined) throw w.invalid('`chain` exists only in version 1');
    const flags = s.operatorStateFlagsRaw;
    w.enter('managedOperatorState');
    writeFlagged(w, s.managedOperatorState, flags?.[0], ctx);
    w.leave();
    w.enter('rawOperatorState');
    writeFlagged(w, s.rawOperatorState, flags?.[1], ctx);
    w.leave();
  }
  w.enter('managedKeyedState');
  writeKeyedHandle(w, s.managedKeyedState, ctx);
  w.leave();
  w.enter('rawKeyedState');
  writeKeyedHandle(w, s.rawKeyedState, ctx);
  w.leave();
  if (v >= 3) {
    w.enter('inputChannelState');
    writeInputChannelHandles(w, s.inputChannelState, ctx);
    w.leave();
    w.enter('resultSubpartitionState');
    writeResultSubpartitionHandles(w, s.resultSubpartitionState, ctx);
    w.leave();
  } else if (s.inputChannelState.length > 0 || s.resultSubpartitionState.length > 0) {
    throw w.invalid(`channel state cannot be written in metadata version ${v}`);
  }
  if (v >= 7) {
    if (s.refCheckpointId !== undefined) {
      w.u8(1);
      w.i64(s.refCheckpointId, 'reference checkpoint id');
    } else {
      w.u8(s.refMarkerRaw ?? 0, 'reference checkpoint marker');
    }
  }
}

function writeChain(w: ByteWriter, chain: (OperatorStateHandle | null)[], ctx: EncodeContext): void {
  w.count(chain.length, 'chain length');
  chain.forEach((h, i) => w.at(`[${i}]`, () => writeOperatorHandle(w, h, ctx)));
}

function writeFlagged(
  w: ByteWriter,
  h: OperatorStateHandle | null,
  rawFlag: number | undefined,
  ctx: EncodeContext,
): void {
  if (h === null) {
    if (rawFlag !== undefined && rawFlag !== 0) throw w.invalid('raw presence flag set for a null handle');
    w.i32(0);
    return;
  }
  if (rawFlag === 0) throw w.invalid('raw presence flag 0 for a present handle');
  w.i32(rawFlag ?? 1, 'presence flag');
  writeOperatorHandle(w, h, ctx);
}
