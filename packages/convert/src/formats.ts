import { decodeMetadata, encodeMetadata, fromJson, METADATA_MAGIC, toJsonString, type CheckpointMetadata } from '@ckpt/format';
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
      return fromJson(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
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
