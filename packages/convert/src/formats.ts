import { decodeMetadata, encodeMetadata, FormatError, fromJson, METADATA_MAGIC, toJsonString, type CheckpointMetadata } from '@ckpt/format';
import { fromMsgpack, toMsgpack } from './msgpack.js';
import { fromProtobuf, toProtobuf } from './protobuf.js';

/** The representations of a checkpoint's metadata that ckpt converts between. */
export type MetadataFormat = 'binary' | 'json' | 'msgpack' | 'protobuf';

export const FORMATS: readonly MetadataFormat[] = ['binary', 'json', 'msgpack', 'protobuf'];

/** The format a file name implies: `.json`, `.msgpack`/`.mpk`, `.pb`/`.protobuf`/`.binpb`, else binary. */
export function formatFromName(name: string): MetadataFormat {
  const n = name.toLowerCase();
  if (n.endsWith('.json')) return 'json';
  if (n.endsWith('.msgpack') || n.endsWith('.mpk')) return 'msgpack';
  if (n.endsWith('.pb') || n.endsWith('.protobuf') || n.endsWith('.binpb')) return 'protobuf';
  return 'binary';
}

/** Recognises binary `_metadata` by its magic and JSON by its first character; else `hint`. */
export function sniffFormat(bytes: Uint8Array, hint: MetadataFormat): MetadataFormat {
  if (bytes.length >= 4 && new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0) === METADATA_MAGIC) {
    return 'binary';
  }
  let i = 0;
  while (i < bytes.length && (bytes[i] === 0x20 || bytes[i] === 0x0a || bytes[i] === 0x0d || bytes[i] === 0x09)) i++;
  if (bytes[i] === 0x7b) return 'json';
  return hint === 'binary' ? 'protobuf' : hint;
}

export function parseMetadata(bytes: Uint8Array, format: MetadataFormat, file?: string): CheckpointMetadata {
  switch (format) {
    case 'binary':
      return decodeMetadata(bytes, file === undefined ? {} : { file });
    case 'json':
      return fromJson(decodeUtf8(bytes));
    case 'msgpack':
      return fromMsgpack(bytes);
    case 'protobuf':
      return fromProtobuf(bytes);
  }
}

export function serializeMetadata(meta: CheckpointMetadata, format: MetadataFormat): Uint8Array {
  switch (format) {
    case 'binary':
      return encodeMetadata(meta);
    case 'json':
      return new TextEncoder().encode(toJsonString(meta) + '\n');
    case 'msgpack':
      return toMsgpack(meta);
    case 'protobuf':
      return toProtobuf(meta);
  }
}

/** Strict UTF-8 text of `bytes`; a FormatError naming the first byte that is not UTF-8. */
function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch (e) {
    throw new FormatError('BadUtf', 'JSON input is not UTF-8', { offset: firstNonUtf8(bytes), cause: e });
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstNonUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    const n = c < 0x80 ? 0 : c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (n < 0) return i;
    // second byte ranges that rule out overlong forms, surrogates and code points past U+10FFFF
    const lo = c === 0xe0 ? 0xa0 : c === 0xf0 ? 0x90 : 0x80;
    const hi = c === 0xed ? 0x9f : c === 0xf4 ? 0x8f : 0xbf;
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || x < (k === 1 ? lo : 0x80) || x > (k === 1 ? hi : 0xbf)) return i;
    }
    i += n + 1;
  }
  return b.length;
}
