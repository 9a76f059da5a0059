import { ByteReader } from '../binary/reader.js';
import { ByteWriter } from '../binary/writer.js';
import type {
  ChannelStateBody,
  InputChannelStateHandle,
  MergedChannelEntry,
  MergedChannelsBody,
  ResultSubpartitionStateHandle,
} from '../model.js';
import { readRequiredStreamHandle, writeStreamHandle } from './stream.js';
import type { DecodeContext, EncodeContext } from './tags.js';

// Channel state of unaligned checkpoints. Files of versions 3–5 use the "V1" encoding (no type
// byte); version 6+ prefixes each handle with a type byte and allows merged handles.

const INPUT = 1;
const OUTPUT = 2;
const MERGED_INPUT = 3;
const MERGED_OUTPUT = 4;

type Direction = 'input' | 'output';
const INPUT_KINDS: readonly string[] = ['inputChannel', 'mergedInputChannels'];
const OUTPUT_KINDS: readonly string[] = ['resultSubpartition', 'mergedResultSubpartitions'];

function usesTypeByte(version: number): boolean {
  return version >= 6;
}

export function readInputChannelHandles(r: ByteReader, ctx: DecodeContext): InputChannelStateHandle[] {
  return readList(r, ctx, 'input') as InputChannelStateHandle[];
}

export function readResultSubpartitionHandles(
  r: ByteReader,
  ctx: DecodeContext,
): ResultSubpartitionStateHandle[] {
  return readList(r, ctx, 'output') as ResultSubpartitionStateHandle[];
}

function readList(
  r: ByteReader,
  ctx: DecodeContext,
  dir: Direction,
): (InputChannelStateHandle | ResultSubpartitionStateHandle)[] {
  const n = r.count('number of channel state handles', 1);
  const out: (InputChannelStateHandle | ResultSubpartitionStateHandle)[] = [];
  for (let i = 0; i < n; i++) {
    r.enter(i);
    out.push(readChannelHandle(r, ctx, dir));
    r.leave();
  }
  return out;
}

function readChannelHandle(
  r: ByteReader,
  ctx: DecodeContext,
  dir: Direction,
): InputChannelStateHandle | ResultSubpartitionStateHandle {
  if (usesTypeByte(ctx.version)) {
    const at = r.offset;
    const type = r.u8('channel handle type');
    const plain = dir === 'input' ? INPUT : OUTPUT;
    const merged = dir === 'input' ? MERGED_INPUT : MERGED_OUTPUT;
    if (type === merged) {
      const body = readMergedBody(r, ctx);
      return dir === 'input'
        ? { kind: 'mergedInputChannels', ...body }
        : { kind: 'mergedResultSubpartitions', ...body };
    }
    if (type !== plain) {
      throw r.error('UnknownTag', `channel handle type ${type} is not valid in the ${dir} list`, at);
    }
  }
  ctx.touched.channelSubtaskIndex = true;
  const subtaskIndex = ctx.dialect.channelSubtaskIndex ? r.i32('subtask index') : undefined;
  const a = r.i32(dir === 'input' ? 'gate index' : 'partition index');
  const b = r.i32(dir === 'input' ? 'input channel index' : 'subpartition index');
  const n = r.count('number of offsets', 8);
  const offsets: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) offsets[i] = r.i64('buffer offset');
  const stateSize = r.i64('state size');
  const delegate = readRequiredStreamHandle(r, ctx, 'delegate');
  const body: ChannelStateBody = {
    ...(subtaskIndex === undefined ? {} : { subtaskIndex }),
    offsets,
    stateSize,
    delegate,
  };
  return dir === 'input'
    ? { kind: 'inputChannel', gateIndex: a, inputChannelIndex: b, ...body }
    : { kind: 'resultSubpartition', partitionIndex: a, subpartitionIndex: b, ...body };
}

function readMergedBody(r: ByteReader, ctx: DecodeContext): MergedChannelsBody {
  const subtaskIndex = r.i32('subtask index');
  const stateSize = r.i64('state size');
  const delegate = readRequiredStreamHandle(r, ctx, 'delegate');
  const blobAt = r.offset + 4;
  const blob = r.lengthPrefixed('serialized channel offsets');
  const channels = r.at('channels', () => readMergedChannels(blob, blobAt, r.path));
  return { subtaskIndex, stateSize, delegate, channels };
}

/** The merged handle's offsets blob: `int n`, n × (infoA, infoB, long size, int k, k longs). */
function readMergedChannels(blob: Uint8Array, base: number, path: string): MergedChannelEntry[] {
  const b = new ByteReader(blob, 0, base);
  b.path = path;
  {
    const n = b.count('number of channels', 20);
    const out: MergedChannelEntry[] = [];
    for (let i = 0; i < n; i++) {
      const infoA = b.i32('channel info A');
      const infoB = b.i32('channel info B');
      const stateSize = b.i64('state size');
      const k = b.count('number of offsets', 8);
      const offsets: bigint[] = new Array<bigint>(k);
      for (let j = 0; j < k; j++) offsets[j] = b.i64('buffer offset');
      out.push({ infoA, infoB, stateSize, offsets });
    }
    if (b.remaining !== 0) {
      throw b.error('TrailingBytes', `${b.remaining} bytes follow the merged channel offsets`);
    }
    return out;
  }
}

export function writeInputChannelHandles(
  w: ByteWriter,
  list: InputChannelStateHandle[],
  ctx: EncodeContext,
): void {
  writeList(w, list, ctx, 'input');
}

export function writeResultSubpartitionHandles(
  w: ByteWriter,
  list: ResultSubpartitionStateHandle[],
  ctx: EncodeContext,
): void {
  writeList(w, list, ctx, 'output');
}

function writeList(
  w: ByteWriter,
  list: (InputChannelStateHandle | ResultSubpartitionStateHandle)[],
  ctx: EncodeContext,
  dir: Direction,
): void {
  w.count(list.length, 'number of channel state handles');
  for (let i = 0; i < list.length; i++) {
    w.enter(i);
    writeChannelHandle(w, list[i]!, ctx, dir);
    w.leave();
  }
}

function writeChannelHandle(
  w: ByteWriter,
  h: InputChannelStateHandle | ResultSubpartitionStateHandle,
  ctx: EncodeContext,
  dir: Direction,
): void {
  const merged = h.kind === 'mergedInputChannels' || h.kind === 'mergedResultSubpartitions';
  const expected = dir === 'input' ? INPUT_KINDS : OUTPUT_KINDS;
  if (!expected.includes(h.kind)) throw w.invalid(`a ${h.kind} handle cannot stand in the ${dir} list`);
  if (!usesTypeByte(ctx.version) && merged) {
    throw w.invalid(`merged channel handles need metadata version 6 or later (writing ${ctx.version})`);
  }
  if (usesTypeByte(ctx.version)) {
    w.u8(dir === 'input' ? (merged ? MERGED_INPUT : INPUT) : merged ? MERGED_OUTPUT : OUTPUT);
  }
  if (merged) {
    w.i32(h.subtaskIndex, 'subtask index');
    w.i64(h.stateSize, 'state size');
    w.enter('delegate');
  writeStreamHandle(w, h.delegate, ctx);
  w.leave();
    const b = new ByteWriter(64);
    b.path = w.path;
    b.count(h.channels.length, 'number of channels');
    for (const c of h.channels) {
      b.i32(c.infoA, 'channel info A');
      b.i32(c.infoB, 'channel info B');
      b.i64(c.stateSize, 'state size');
      b.count(c.offsets.length, 'number of offsets');
      for (const o of c.offsets) b.i64(o, 'buffer offset');
    }
    w.lengthPrefixed(b.finish(), 'serialized channel offsets');
    return;
  }
  if (h.subtaskIndex !== undefined) w.i32(h.subtaskIndex, 'subtask index');
  if (h.kind === 'inputChannel') {
    w.i32(h.gateIndex, 'gate index');
    w.i32(h.inputChannelIndex, 'input channel index');
  } else {
    w.i32(h.partitionIndex, 'partition index');
    w.i32(h.subpartitionIndex, 'subpartition index');
  }
  w.count(h.offsets.length, 'number of offsets');
  for (const o of h.offsets) w.i64(o, 'buffer offset');
  w.i64(h.stateSize, 'state size');
  w.enter('delegate');
  writeStreamHandle(w, h.delegate, ctx);
  w.leave();
}
