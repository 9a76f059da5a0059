import { readU32 } from '../coding.js';
import { RocksError } from '../errors.js';

const HASH_INDEX_BIT = 0x80000000;
const UNIFORM_KEYS_BIT = 1 << 29;
const SEPARATED_KV_BIT = 1 << 28;
const MAX_RESTARTS = (1 << 28) - 1;

/** How a block's values are stored. */
export interface BlockFormat {
  /**
   * Index blocks with `rocksdb.index.value.is.delta.encoded`: entries have no value length; the
   * value is a full block handle at a restart point (no shared key bytes) and a size delta else.
   */
  readonly deltaValues?: boolean;
  /** Index values carry the block's first internal key after the handle (kBinarySearchWithFirstKey). */
  readonly firstKeys?: boolean;
}

/**
 * One uncompressed block (data, index, metaindex, properties or range-deletion block: they share
 * this format, table/block_based/block_builder.cc): entries of `varint32 shared, varint32 non_shared,
 * varint32 value_length, key delta, value` with keys prefix-compressed against the previous entry,
 * a restart point every N entries (full key), then `u32 restarts[n]` and a u32 footer whose low 28
 * bits count the restarts (bit 31: a data-block hash index sits before it, `u8 buckets[m], u16 m`).
 */
export class Block {
  readonly restartsOffset: number;
  readonly numRestarts: number;

  constructor(
    readonly data: Uint8Array,
    /** File offset of the block (for errors). */
    readonly offset: number,
    readonly file: string | undefined,
    readonly format: BlockFormat = {},
  ) {
    if (data.length < 4) throw this.error('block shorter than its 4-byte footer', 0);
    let end = data.length - 4;
    let packed = readU32(data, end);
    if (packed & HASH_INDEX_BIT) {
      packed = (packed & ~HASH_INDEX_BIT) >>> 0;
      if (end < 2) throw this.error('block too short for its hash index', 0);
      const buckets = data[end - 2]! | (data[end - 1]! << 8);
      end -= 2 + buckets;
      if (end < 0) throw this.error(`hash index of ${buckets} buckets does not fit the block`, 0);
    }
    if (packed & (UNIFORM_KEYS_BIT | SEPARATED_KV_BIT)) {
      throw new RocksError('Unsupported', 'block uses uniform-key or separated key/value storage (RocksDB ≥ 10), which is not read', {
        file,
        offset: offset + data.length - 4,
      });
    }
    if (packed > MAX_RESTARTS) throw this.error(`unrecognized feature bits in the block footer (0x${packed.toString(16)})`, data.length - 4);
    if (packed * 4 > end) throw this.error(`${packed} restart points do not fit a block of ${data.length} bytes`, data.length - 4);
    this.numRestarts = packed;
    this.restartsOffset = end - packed * 4;
    if (packed === 0 && this.restartsOffset > 0) throw this.error('block has entries but no restart point', data.length - 4);
  }

  error(detail: string, at: number): RocksError {
    return new RocksError('BadBlock', detail, { file: this.file, offset: this.offset + at });
  }

  /** Entry offset of restart point `i`. */
  restart(i: number): number {
    const r = readU32(this.data, this.restartsOffset + 4 * i);
    if (r >= this.restartsOffset && !(r === 0 && this.restartsOffset === 0)) {
      throw this.error(`restart point ${i} at ${r} is past the entries (${this.restartsOffset})`, this.restartsOffset + 4 * i);
    }
    return r;
  }

  iter(): BlockIter {
    return new BlockIter(this);
  }
}

/**
 * A cursor over a block's entries. `key` is a reused buffer (valid until the next move; copy it
 * to keep it); `value` is a view into the block. For delta-encoded index blocks the block handle is
 * decoded into `handleOffset` / `handleSize` (and `firstKey`) instead of a raw value.
 */
export class BlockIter {
  private keyBuf = new Uint8Array(64);
  keyLength = 0;
  /** Offset of the current entry; `next` starts at `nextOffset`. */
  entryOffset = -1;
  private nextOffset = 0;
  valueStart = 0;
  valueEnd = 0;
  /** Shared key bytes of the current entry (0 at restart points). */
  shared = 0;
  handleOffset = 0;
  handleSize = 0;
  firstKey: Uint8Array | undefined;
  private readonly data: Uint8Array;
  private readonly limit: number;
  /** Where the varint read last ends. */
  private varEnd = 0;
  /** Values are delta-encoded block handles (an index block with that property). */
  private readonly deltaValues: boolean;

  constructor(readonly block: Block) {
    this.data = block.data;
    this.limit = block.restartsOffset;
    this.deltaValues = block.format.deltaValues === true;
  }

  get valid(): boolean {
    return this.entryOffset >= 0;
  }

  /** The current key (a view of a reused buffer). */
  key(): Uint8Array {
    return this.keyBuf.subarray(0, this.keyLength);
  }

  /** The reused buffer whose first `keyLength` bytes are the current key (no view made). */
  get keyBuffer(): Uint8Array {
    return this.keyBuf;
  }

  /** The current value (a view of the block). */
  value(): Uint8Array {
    return this.data.subarray(this.valueStart, this.valueEnd);
  }

  seekToFirst(): boolean {
    this.keyLength = 0;
    this.nextOffset = 0;
    return this.next();
  }

  /** Moves to the next entry; false (and invalid) past the last. */
  next(): boolean {
    let p = this.nextOffset;
    if (p >= this.limit) {
      this.entryOffset = -1;
      return false;
    }
    const d = this.data;
    this.entryOffset = p;
    // varint32 shared, non_shared (and value_length): one byte each in the common case.
    let shared = d[p]!;
    if (shared < 128) p++;
    else {
      shared = this.varint(p);
      p = this.varEnd;
    }
    let nonShared = d[p]!;
    if (nonShared < 128 && p < this.limit) p++;
    else {
      nonShared = this.varint(p);
      p = this.varEnd;
    }
    const delta = this.deltaValues;
    let valueLength = 0;
    if (!delta) {
      valueLength = d[p]!;
      if (valueLength < 128 && p < this.limit) p++;
      else {
        valueLength = this.varint(p);
        p = this.varEnd;
      }
    }
    if (shared > this.keyLength) throw this.block.error(`entry shares ${shared} key bytes but the previous key has ${this.keyLength}`, this.entryOffset);
    if (p + nonShared > this.limit) throw this.block.error(`key of ${nonShared} bytes runs past the entries`, this.entryOffset);
    const len = shared + nonShared;
    if (len > this.keyBuf.length) {
      const grown = new Uint8Array(Math.max(len, this.keyBuf.length * 2));
      grown.set(this.keyBuf.subarray(0, shared));
      this.keyBuf = grown;
    }
    const kb = this.keyBuf;
    if (nonShared < 32) for (let i = 0; i < nonShared; i++) kb[shared + i] = d[p + i]!;
    else kb.set(d.subarray(p, p + nonShared), shared);
    this.keyLength = len;
    this.shared = shared;
    p += nonShared;
    if (delta) {
      p = this.decodeIndexValue(p, shared > 0);
    } else {
      if (p + valueLength > this.limit) throw this.block.error(`value of ${valueLength} bytes runs past the entries`, this.entryOffset);
      this.valueStart = p;
      this.valueEnd = p + valueLength;
      p += valueLength;
    }
    this.nextOffset = p;
    return true;
  }

  /**
   * Positions at the first entry whose key is ≥ `target` by `compare` (binary search over the
   * restart points, then a linear scan); false when every key is smaller.
   */
  seek(target: Uint8Array, compare: (a: Uint8Array, b: Uint8Array) => number): boolean {
    const n = this.block.numRestarts;
    let lo = 0;
    let hi = n - 1;
    // Find the last restart whose key is < target.
    let start = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      this.keyLength = 0;
      this.nextOffset = this.block.restart(mid);
      if (!this.next()) break;
      if (compare(this.key(), target) < 0) {
        start = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    this.keyLength = 0;
    this.nextOffset = n > 0 ? this.block.restart(start) : 0;
    while (this.next()) {
      if (compare(this.key(), target) >= 0) return true;
    }
    return false;
  }

  /** A varint32 at `p` (its end in {@link varEnd}: no array per call). */
  private varint(p: number): number {
    return this.varintUpTo(p, 35, 0xffffffff, 'malformed varint32');
  }

  /** A varint64 at `p` whose value fits a safe integer (offsets, sizes). */
  private varint64(p: number): number {
    return this.varintUpTo(p, 70, Number.MAX_SAFE_INTEGER, 'malformed or too large varint64');
  }

  private varintUpTo(p: number, maxShift: number, max: number, what: string): number {
    const d = this.data;
    let v = 0;
    const start = p;
    for (let shift = 0; shift < maxShift; shift += 7) {
      if (p >= this.limit) throw this.block.error('varint runs past the entries', start);
      const b = d[p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) {
        if (v > max) break;
        this.varEnd = p;
        return v;
      }
    }
    throw this.block.error(what, start);
  }

  /** IndexValue::DecodeFrom: a full handle, or a size delta after the previous handle. */
  private decodeIndexValue(p: number, isDelta: boolean): number {
    const start = p;
    if (isDelta) {
      const u = this.varint64(p);
      const q = this.varEnd;
      // zig-zag
      const delta = u % 2 === 1 ? -(u + 1) / 2 : u / 2;
      this.handleOffset = this.handleOffset + this.handleSize + 5;
      this.handleSize += delta;
      if (this.handleSize < 0) throw this.block.error('index size delta gives a negative block size', start);
      p = q;
    } else {
      this.handleOffset = this.varint64(p);
      this.handleSize = this.varint64(this.varEnd);
      p = this.varEnd;
    }
    if (this.block.format.firstKeys) {
      const n = this.varint(p);
      p = this.varEnd;
      if (p + n > this.limit) throw this.block.error('first key runs past the entries', p);
      this.firstKey = this.data.subarray(p, p + n);
      p += n;
    }
    this.valueStart = start;
    this.valueEnd = p;
    return p;
  }
}
