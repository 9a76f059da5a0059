import { ByteReader, concatBytes } from '@ckpt/format';
import { StateError } from '../errors.js';
import { writeKeyedStateHeader, type KeyedHeaderBytes } from '../meta/proxy.js';
import type { SnappyFraming } from '../snappy/framing.js';

/** Flag on the first key byte: a state id (or the end mark) follows this pair. */
export const META_DATA_FOLLOWS = 0x80;
/** State id value that ends a key group. */
export const END_OF_KEY_GROUP = 0xffff;

/**
 * One key/value pair of the canonical (unified savepoint / RocksDB full) format, undecoded:
 * `key` is the composite key WITHOUT its key-group prefix (key, namespace, user key or timer).
 */
export interface RawKeyedEntry {
  stateId: number;
  key: Uint8Array;
  value: Uint8Array;
  /** Positions of the key and value bytes in the file (for errors; approximate when compressed). */
  keyAt?: number;
  valueAt?: number;
}

/** Bytes of the key-group prefix for a max parallelism (1 up to 128 key groups, else 2). */
export function keyGroupPrefixBytes(maxParallelism: number): 1 | 2 {
  return maxParallelism > 128 ? 2 : 1;
}

export interface RawKeyGroupContext {
  keyGroup: number;
  prefixBytes: 1 | 2;
  /** Position of `data` in the file, for error offsets. */
  base: number;
}

/** Splits one (uncompressed) key group into its pairs, checking every key-group prefix. */
export function readRawKeyGroup(data: Uint8Array, ctx: RawKeyGroupContext): RawKeyedEntry[] {
  const out: RawKeyedEntry[] = [];
  walkRawKeyGroup(data, ctx, (stateId, keyStart, keyEnd, valueStart, valueEnd) => {
    out.push({ stateId, key: data.subarray(keyStart, keyEnd), value: data.subarray(valueStart, valueEnd), keyAt: ctx.base + keyStart, valueAt: ctx.base + valueStart });
  });
  return out;
}

/**
 * Where one pair lies in the key group's bytes: the composite key (after its key-group prefix)
 * is `data[keyStart, keyEnd)`, the value `data[valueStart, valueEnd)`.
 */
export type RawPairVisitor = (stateId: number, keyStart: number, keyEnd: number, valueStart: number, valueEnd: number) => void;

/**
 * Walks one (uncompressed) key group pair by pair without copying or slicing anything, checking
 * every length, key-group prefix and the end mark; `visit` sees each pair's byte ranges.
 */
export function walkRawKeyGroup(data: Uint8Array, ctx: RawKeyGroupContext, visit: RawPairVisitor): void {
  const r = new ByteReader(data, 0, ctx.base);
  const prefix = ctx.prefixBytes;
  let stateId = r.u16('state id');
  for (;;) {
    const keyStart = r.offset + 4;
    const keyEnd = skipLengthPrefixed(r, 'key length', 'key');
    const valueStart = r.offset + 4;
    const valueEnd = skipLengthPrefixed(r, 'value length', 'value');
    if (keyEnd - keyStart < prefix) {
      throw new StateError('BadLength', `key of ${keyEnd - keyStart} bytes has no key-group prefix`, { offset: ctx.base + keyStart });
    }
    const first = data[keyStart]!;
    const last = (first & META_DATA_FOLLOWS) !== 0;
    const hi = first & ~META_DATA_FOLLOWS & 0xff;
    const kg = prefix === 1 ? hi : (hi << 8) | data[keyStart + 1]!;
    if (kg !== ctx.keyGroup) {
      throw new StateError('BadKeyGroup', `entry of key group ${kg} inside key group ${ctx.keyGroup}`, { offset: ctx.base + keyStart });
    }
    visit(stateId, keyStart + prefix, keyEnd, valueStart, valueEnd);
    if (last) {
      const next = r.u16('next state id');
      if (next === END_OF_KEY_GROUP) break;
      stateId = next;
    }
  }
  if (r.remaining !== 0) {
    throw new StateError('BadLength', `${r.remaining} bytes after the end-of-key-group mark`, { offset: r.base + r.offset });
  }
}

/** Skips an `int` length and that many bytes; returns where they end. */
function skipLengthPrefixed(r: ByteReader, lengthWhat: string, what: string): number {
  const at = r.offset;
  const n = r.i32(lengthWhat);
  if (n < 0) throw r.error('BadLength', `${what} length ${n} is negative`, at);
  r.need(n, what);
  r.offset += n;
  return r.offset;
}

/**
 * Encodes one non-empty key group: a state id before every run of entries of one state, the
 * flag on the last key of a run, the end mark after the last pair. `entries` are written in
 * their order; consecutive entries of one state form one run.
 */
export function writeRawKeyGroup(keyGroup: number, prefixBytes: 1 | 2, entries: readonly RawKeyedEntry[]): Uint8Array {
  if (entries.length === 0) throw new StateError('BadValue', `key group ${keyGroup} has no entries; empty key groups are not written`);
  if (keyGroup < 0 || keyGroup >= (prefixBytes === 1 ? 128 : 32768)) {
    throw new StateError('BadKeyGroup', `key group ${keyGroup} does not fit a ${prefixBytes}-byte prefix`);
  }
  let size = 2;
  entries.forEach((e, i) => {
    size += 8 + prefixBytes + e.key.length + e.value.length;
    if (entries[i + 1]?.stateId !== e.stateId) size += 2;
  });
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  let p = 0;
  const u16 = (v: number) => {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new StateError('BadValue', `state id ${v} does not fit a short`);
    view.setUint16(p, v);
    p += 2;
  };
  u16(entries[0]!.stateId);
  entries.forEach((e, i) => {
    const next = entries[i + 1];
    const last = next === undefined || next.stateId !== e.stateId;
    view.setInt32(p, prefixBytes + e.key.length);
    p += 4;
    const flag = last ? META_DATA_FOLLOWS : 0;
    if (prefixBytes === 1) out[p++] = keyGroup | flag;
    else (out[p++] = (keyGroup >>> 8) | flag), (out[p++] = keyGroup & 0xff);
    out.set(e.key, p);
    p += e.key.length;
    view.setInt32(p, e.value.length);
    p += 4;
    out.set(e.value, p);
    p += e.value.length;
    if (last) u16(next === undefined ? END_OF_KEY_GROUP : next.stateId);
  });
  return out;
}

export interface CanonicalFileInput {
  /** The `KeyedBackendSerializationProxy` header (serializer snapshots copied through); the flag follows `compressed`. */
  header: KeyedHeaderBytes;
  keyGroupStart: number;
  keyGroupCount: number;
  maxParallelism: number;
  /** Entries per key group (absent or empty = key group without data, offset 0). */
  keyGroups: ReadonlyMap<number, readonly RawKeyedEntry[]>;
  /** Snappy-compress every key group (each an independent framed stream). */
  compressed?: boolean;
  framing?: SnappyFraming;
}

export interface CanonicalFileOutput {
  bytes: Uint8Array;
  /** One offset per key group of the range; 0 = no data. */
  offsets: bigint[];
}

/**
 * Writes a whole keyed state file in the canonical savepoint format (what Flink's
 * `FullSnapshotAsyncWriter` produces): header, then each non-empty key group ascending, each an
 * independent Snappy framed stream when compressed. Returns the bytes and the handle offsets.
 */
export function writeCanonicalKeyedState(input: CanonicalFileInput): CanonicalFileOutput {
  const compressed = input.compressed ?? false;
  if (compressed && !input.framing) throw new StateError('BadSnappy', 'compression needs a SnappyFraming');
  const prefix = keyGroupPrefixBytes(input.maxParallelism);
  const end = input.keyGroupStart + input.keyGroupCount;
  for (const kg of input.keyGroups.keys()) {
    if (kg < input.keyGroupStart || kg >= end) {
      throw new StateError('BadKeyGroup', `key group ${kg} is outside the range ${input.keyGroupStart}..${end - 1}`);
    }
  }
  const parts: Uint8Array[] = [writeKeyedStateHeader(input.header, compressed)];
  let pos = parts[0]!.length;
  const offsets: bigint[] = [];
  for (let kg = input.keyGroupStart; kg < end; kg++) {
    const entries = input.keyGroups.get(kg);
    if (!entries || entries.length === 0) {
      offsets.push(0n);
      continue;
    }
    offsets.push(BigInt(pos));
    const raw = writeRawKeyGroup(kg, prefix, entries);
    const data = compressed ? input.framing!.encode(raw) : raw;
    parts.push(data);
    pos += data.length;
  }
  return { bytes: concatBytes(parts), offsets };
}
