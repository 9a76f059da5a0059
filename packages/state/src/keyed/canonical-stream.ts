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

interface CanonicalLayout {
  /** The `KeyedBackendSerializationProxy` header (serializer snapshots copied through); the flag follows `compressed`. */
  header: KeyedHeaderBytes;
  keyGroupStart: number;
  keyGroupCount: number;
  maxParallelism: number;
  /** Snappy-compress every key group (each an independent framed stream). */
  compressed?: boolean;
  framing?: SnappyFraming;
}

export interface CanonicalFileInput extends CanonicalLayout {
  /** Entries per key group (absent or empty = key group without data, offset 0). */
  keyGroups: ReadonlyMap<number, readonly RawKeyedEntry[]>;
}

export interface CanonicalFileOutput {
  bytes: Uint8Array;
  /** One offset per key group of the range; 0 = no data. */
  offsets: bigint[];
}

/** A key group's entries, for {@link streamCanonicalKeyedState}. */
export interface KeyGroupEntries {
  keyGroup: number;
  entries: readonly RawKeyedEntry[];
}

export interface CanonicalStreamInput extends CanonicalLayout {
  /** Key groups of the range in ascending order (each at most once; missing = without data). */
  keyGroups: AsyncIterable<KeyGroupEntries> | Iterable<KeyGroupEntries>;
}

export interface CanonicalStream {
  /** The file's bytes, header first, one chunk per key group with data. */
  chunks: AsyncGenerator<Uint8Array, void, undefined>;
  /** One offset per key group of the range (0 = no data): complete once {@link chunks} ends. */
  offsets: bigint[];
}

/** Lays out a canonical file key group by key group, keeping the handle offsets. */
class CanonicalWriter {
  readonly offsets: bigint[] = [];
  private readonly compressed: boolean;
  private readonly prefix: 1 | 2;
  private readonly end: number;
  private pos = 0;

  constructor(private readonly layout: CanonicalLayout) {
    this.compressed = layout.compressed ?? false;
    if (this.compressed && !layout.framing) throw new StateError('BadSnappy', 'compression needs a SnappyFraming');
    this.prefix = keyGroupPrefixBytes(layout.maxParallelism);
    this.end = layout.keyGroupStart + layout.keyGroupCount;
  }

  header(): Uint8Array {
    const head = writeKeyedStateHeader(this.layout.header, this.compressed);
    this.pos = head.length;
    return head;
  }

  /** The bytes of key group `kg` (after every earlier one); undefined when it has no entries. */
  group(kg: number, entries: readonly RawKeyedEntry[] | undefined): Uint8Array | undefined {
    const next = this.layout.keyGroupStart + this.offsets.length;
    if (kg < next || kg >= this.end) {
      const why = kg >= this.layout.keyGroupStart && kg < next ? 'comes again or out of order' : `is outside the range ${this.layout.keyGroupStart}..${this.end - 1}`;
      throw new StateError('BadKeyGroup', `key group ${kg} ${why}`);
    }
    if (!entries || entries.length === 0) return undefined;
    while (this.layout.keyGroupStart + this.offsets.length < kg) this.offsets.push(0n);
    this.offsets.push(BigInt(this.pos));
    const raw = writeRawKeyGroup(kg, this.prefix, entries);
    const data = this.compressed ? this.layout.framing!.encode(raw) : raw;
    this.pos += data.length;
    return data;
  }

  /** The offsets, every key group of the range given one. */
  finish(): bigint[] {
    while (this.offsets.length < this.layout.keyGroupCount) this.offsets.push(0n);
    return this.offsets;
  }
}

/**
 * Writes a keyed state file in the canonical savepoint format (what Flink's
 * `FullSnapshotAsyncWriter` produces) as it reads its key groups: header, then each non-empty key
 * group ascending, each an independent Snappy framed stream when compressed. Only one key group's
 * bytes are held at a time.
 */
export function streamCanonicalKeyedState(input: CanonicalStreamInput): CanonicalStream {
  const w = new CanonicalWriter(input);
  async function* chunks(): AsyncGenerator<Uint8Array, void, undefined> {
    yield w.header();
    for await (const { keyGroup, entries } of input.keyGroups) {
      const data = w.group(keyGroup, entries);
      if (data) yield data;
    }
    w.finish();
  }
  return { chunks: chunks(), offsets: w.offsets };
}

/** Writes a whole keyed state file in the canonical savepoint format ({@link streamCanonicalKeyedState}) in memory. */
export function writeCanonicalKeyedState(input: CanonicalFileInput): CanonicalFileOutput {
  const w = new CanonicalWriter(input);
  const end = input.keyGroupStart + input.keyGroupCount;
  for (const kg of input.keyGroups.keys()) {
    if (kg < input.keyGroupStart || kg >= end) {
      throw new StateError('BadKeyGroup', `key group ${kg} is outside the range ${input.keyGroupStart}..${end - 1}`);
    }
  }
  const parts: Uint8Array[] = [w.header()];
  for (let kg = input.keyGroupStart; kg < end; kg++) {
    const data = w.group(kg, input.keyGroups.get(kg));
    if (data) parts.push(data);
  }
  return { bytes: concatBytes(parts), offsets: w.finish() };
}
