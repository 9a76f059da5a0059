import { RocksError } from '../errors.js';
import { entryType, sequenceOf, ValueType } from '../internal-key.js';
import type { MergeFunction } from './merge-operators.js';
import type { MergingIterator } from './merging-iterator.js';
import type { PackedPairs } from './packed-pairs.js';
import type { TombstoneMap } from './range-tombstones.js';

/**
 * What {@link PackedScan.fill} stopped at: `done` (no more keys, or the range's end), `full` (hand
 * the batch out, then fill a new one), `wait` (a table must read its next block: await
 * {@link PackedScan.pending}, pass its outcome to `resume`, then fill again).
 */
export const FillStop = { done: 0, full: 1, wait: 2 } as const;
export type FillStop = (typeof FillStop)[keyof typeof FillStop];

/**
 * The live keys of a merged view, resolved version by version into packed batches: the newest
 * version of a user key decides (a put, a deletion, or merge operands down to a put or a deletion),
 * range tombstones hide older versions. {@link fill} works synchronously through the blocks at
 * hand and stops where a table must read its next block; the key in progress is kept, so the next
 * call goes on where it stopped. The per-key loop is a small plain function, which the JIT
 * optimizes soon and on its own, rather than a part of an async generator.
 */
export class PackedScan {
  /** The read to await after {@link FillStop.wait}. */
  pending: Promise<boolean> | undefined;
  private ok: boolean;
  /** A key is being gathered (its bytes are at the end of the batch). */
  private inKey = false;
  /** The next version is the key's first (its bytes were just copied from it). */
  private first = false;
  private ks = 0;
  private ul = 0;
  private covering: bigint | undefined;
  private operands: Uint8Array[] | undefined;
  private base: Uint8Array | undefined;
  private put = false;
  private decided = false;
  private deleted = false;

  constructor(
    private readonly merging: MergingIterator,
    positioned: boolean,
    private readonly end: Uint8Array | undefined,
    private readonly tombstones: TombstoneMap,
    private readonly merge: MergeFunction | undefined,
    private readonly maxBytes: number,
    private readonly maxPairs: number,
  ) {
    this.ok = positioned;
  }

  /** Records the outcome of the awaited {@link pending} read. */
  resume(ok: boolean): void {
    this.pending = undefined;
    this.ok = ok;
  }

  /** Adds live keys to `out` until it is full, the scan is over, or a block must be read. */
  fill(out: PackedPairs): FillStop {
    for (;;) {
      if (!this.ok) {
        if (this.inKey) this.finishKey(out);
        return FillStop.done;
      }
      if (!this.inKey && !this.startKey(out)) return FillStop.done;
      const it = this.merging.top;
      if (this.first) this.first = false;
      else if (it.keyLength - 8 !== this.ul || !sameBytesAt(it.keyBytes, out.bytes, this.ks, this.ul)) {
        // the next user key: this one is complete
        this.finishKey(out);
        if (out.used >= this.maxBytes || out.count >= this.maxPairs) return FillStop.full;
        continue;
      }
      if (!this.decided) this.version(out);
      const r = this.merging.next();
      if (r === true) continue;
      if (r === false) {
        this.ok = false;
        continue;
      }
      this.pending = r;
      return FillStop.wait;
    }
  }

  /** Copies the top's user key into place; false at the range's end. */
  private startKey(out: PackedPairs): boolean {
    const top = this.merging.top;
    const ks = out.used;
    const ul = top.keyLength - 8;
    out.reserve(ul);
    copyBytes(top.keyBytes, 0, ul, out.bytes, ks);
    out.used += ul;
    if (this.end !== undefined && compareAt(out.bytes, ks, ul, this.end) >= 0) {
      out.used = ks;
      this.ok = false;
      return false;
    }
    this.ks = ks;
    this.ul = ul;
    // (no BigInt on the common path: sequence numbers matter only under range tombstones)
    this.covering = this.tombstones.size > 0 ? this.tombstones.coveringSeq(out.bytes.subarray(ks, ks + ul)) : undefined;
    this.operands = undefined;
    this.base = undefined;
    this.put = false;
    this.decided = false;
    this.deleted = false;
    this.inKey = true;
    this.first = true;
    return true;
  }

  /** Takes in the top's version of the key (newest first) until one decides it. */
  private version(out: PackedPairs): void {
    const it = this.merging.top;
    const code = it.keyBytes[it.keyLength - 8]!;
    if (this.covering !== undefined && this.covering > sequenceOf(it.key())) {
      this.decided = true;
      this.deleted = this.operands === undefined;
    } else if (code === ValueType.value) {
      this.decided = true;
      if (this.operands === undefined) {
        // the common case: the newest version is a put — its value goes straight into place
        const vl = it.valueLength;
        out.reserve(vl);
        it.copyValue(out.bytes, out.used);
        out.used += vl;
        this.put = true;
      } else this.base = it.value();
    } else if (code === ValueType.merge) {
      (this.operands ??= []).push(it.value());
    } else {
      const type = entryType(code, it.table.name, it.entryOffset);
      if (type === 'delete' || type === 'singleDelete') {
        this.decided = true;
        this.deleted = this.operands === undefined;
      }
    }
  }

  /** Commits the key gathered (its value in place, or merged), or drops it when it is not live. */
  private finishKey(out: PackedPairs): void {
    this.inKey = false;
    const { ks, ul } = this;
    if (this.put) out.commit(ks + ul);
    else if (this.operands !== undefined && !this.deleted) {
      this.mergeInto(out, ks, ul, this.base, this.operands);
      out.commit(ks + ul);
    } else out.used = ks;
    this.operands = undefined;
    this.base = undefined;
  }

  /** Writes a key's merge operands (newest first) combined with the put below them, if any, at the end of `out`. */
  private mergeInto(out: PackedPairs, keyStart: number, keyLength: number, base: Uint8Array | undefined, operands: Uint8Array[]): void {
    const merge = this.merge;
    if (merge === undefined) {
      throw new RocksError('Unsupported', 'merge operands found but no merge function is known for this column family; pass `merge`', {
        file: this.merging.top?.table.name,
      });
    }
    const key = out.bytes.subarray(keyStart, keyStart + keyLength);
    operands.reverse();
    if (merge.into !== undefined) merge.into(out, key, base, operands);
    else out.append(merge(key, base, operands));
  }
}

function copyBytes(src: Uint8Array, from: number, n: number, dst: Uint8Array, at: number): void {
  if (n < 32) for (let i = 0; i < n; i++) dst[at + i] = src[from + i]!;
  else dst.set(src.subarray(from, from + n), at);
}

/** `a[at, at + n)` equals the first `n` bytes of `key`. */
function sameBytesAt(key: Uint8Array, a: Uint8Array, at: number, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (key[i] !== a[at + i]) return false;
  return true;
}

/** Bytewise order of `a[at, at + n)` against `b`. */
function compareAt(a: Uint8Array, at: number, n: number, b: Uint8Array): number {
  const m = Math.min(n, b.length);
  for (let i = 0; i < m; i++) {
    const d = a[at + i]! - b[i]!;
    if (d !== 0) return d;
  }
  return n - b.length;
}
