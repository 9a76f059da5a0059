import { RocksError } from '../errors.js';
import { compareInternalKeys, compareInternalPrefixes } from '../internal-key.js';
import type { BlockIter } from './block.js';
import { BLOCK_TRAILER_SIZE, type BlockHandle } from './block-handle.js';
import { DataBlockWalker } from './data-blocks.js';
import type { SstTable } from './table.js';

/**
 * A cursor over a table's point entries in internal-key order. It reads one data block at a
 * time; `next()` answers synchronously inside a block and with a promise at block boundaries
 * (`const r = it.next(); if (r !== true) await r;`). `key()` is the internal key (with the
 * global sequence number of ingested files applied) and, like `value()`, valid until the next move.
 */
export class TableIterator {
  private readonly walker: DataBlockWalker;
  private block: BlockIter | undefined;
  /** The data block being read. */
  handle: BlockHandle | undefined;
  private readonly globalSeqno: bigint | undefined;
  private keyCopy = new Uint8Array(0);
  /** The last data block a bounded scan can need (see {@link limitTo}), and the end of its trailer. */
  private lastBlock: number | undefined;
  private readAheadLimit: number | undefined;

  constructor(readonly table: SstTable) {
    this.walker = new DataBlockWalker(table);
    this.globalSeqno = table.globalSeqno;
  }

  get valid(): boolean {
    return this.block?.valid === true;
  }

  key(): Uint8Array {
    const k = this.block!.key();
    if (this.globalSeqno === undefined) return k;
    if (this.keyCopy.length !== k.length) this.keyCopy = new Uint8Array(k.length);
    this.keyCopy.set(k);
    const v = new DataView(this.keyCopy.buffer, k.length - 8, 8);
    v.setBigUint64(0, (this.globalSeqno << 8n) | BigInt(k[k.length - 8]!), true);
    return this.keyCopy;
  }

  value(): Uint8Array {
    return this.block!.value();
  }

  /**
   * The buffer whose first {@link keyLength} bytes are the current internal key, without making a
   * view (a reused buffer: valid until the next move).
   */
  get keyBytes(): Uint8Array {
    return this.globalSeqno === undefined ? this.block!.keyBuffer : this.key();
  }

  get keyLength(): number {
    return this.block!.keyLength;
  }

  /** Length of the current value. */
  get valueLength(): number {
    const b = this.block!;
    return b.valueEnd - b.valueStart;
  }

  /** Copies the current value into `dst` at `at` (room for {@link valueLength} bytes), without making a view. */
  copyValue(dst: Uint8Array, at: number): void {
    const b = this.block!;
    const src = b.block.data;
    const end = b.valueEnd;
    if (end - b.valueStart < 32) for (let i = b.valueStart; i < end; i++) dst[at++] = src[i]!;
    else dst.set(src.subarray(b.valueStart, end), at);
  }

  /** Internal-key order of this iterator's current key against another's, without making views. */
  compareTo(other: TableIterator): number {
    if (this.globalSeqno !== undefined || other.globalSeqno !== undefined) return compareInternalKeys(this.key(), other.key());
    const a = this.block!;
    const b = other.block!;
    return compareInternalPrefixes(a.keyBuffer, a.keyLength, b.keyBuffer, b.keyLength);
  }

  /** Offset in the file of the current entry. */
  get entryOffset(): number {
    return this.block!.block.offset + this.block!.entryOffset;
  }

  /**
   * Bounds the scan above at internal key `upper` (e.g. the seek key of a user key): the last data
   * block read is the first whose index key is ≥ `upper` — every later block holds only keys past
   * that index key — and read-ahead stops at its end. Keys ≥ `upper` in that block are still
   * yielded; the caller stops at them.
   */
  async limitTo(upper: Uint8Array): Promise<void> {
    const last = await new DataBlockWalker(this.table).seek(upper);
    this.lastBlock = last?.offset;
    this.readAheadLimit = last === undefined ? undefined : last.offset + last.size + BLOCK_TRAILER_SIZE;
  }

  async seekToFirst(): Promise<boolean> {
    return this.enter(await this.walker.first(), undefined);
  }

  /** Positions at the first entry whose internal key is ≥ `target`. */
  async seek(target: Uint8Array): Promise<boolean> {
    return this.enter(await this.walker.seek(target), target);
  }

  next(): boolean | Promise<boolean> {
    const b = this.block;
    if (b === undefined || !b.valid) return false;
    if (b.next()) return this.checked();
    return this.nextBlock();
  }

  private async nextBlock(): Promise<boolean> {
    return this.enter(await this.nextHandle(), undefined);
  }

  /** The data block after the current one, unless the current one is the last the bound needs. */
  private async nextHandle(): Promise<BlockHandle | undefined> {
    if (this.lastBlock !== undefined && this.handle !== undefined && this.handle.offset >= this.lastBlock) return undefined;
    return this.walker.next();
  }

  private async enter(handle: BlockHandle | undefined, target: Uint8Array | undefined): Promise<boolean> {
    for (;;) {
      this.handle = handle;
      if (handle === undefined) {
        this.block = undefined;
        // the scan is done with the file: its read-ahead windows serve other tables
        this.table.releaseReadAhead();
        return false;
      }
      const it = (await this.table.readBlock(handle, 'data', undefined, this.readAheadLimit)).iter();
      this.block = it;
      const found = target === undefined ? it.seekToFirst() : it.seek(target, compareInternalKeys);
      if (found) return this.checked();
      handle = await this.nextHandle();
    }
  }

  private checked(): true {
    const b = this.block!;
    if (b.keyLength < 8) {
      throw new RocksError('BadBlock', `internal key of ${b.keyLength} bytes is shorter than its 8-byte trailer`, {
        file: this.table.name,
        offset: b.block.offset + b.entryOffset,
      });
    }
    return true;
  }
}
