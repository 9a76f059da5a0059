import { Cursor } from '../coding.js';
import { compareIndexUserKey, compareInternalKeys } from '../internal-key.js';
import type { Block, BlockIter } from './block.js';
import { readBlockHandle, type BlockHandle } from './block-handle.js';
import type { SstTable } from './table.js';

/** The handle an index entry points at (decoded from its value unless delta-encoded). */
export function indexEntryHandle(it: BlockIter): BlockHandle {
  if (it.block.format.deltaValues) return { offset: it.handleOffset, size: it.handleSize };
  const c = new Cursor(it.block.data, it.block.file, it.block.offset, it.valueStart, it.valueEnd);
  return readBlockHandle(c, 'index value');
}

/**
 * Walks the data blocks of a table in key order through its index — one level, or two for
 * partitioned indexes (the top level points at index partitions, each an index block with the
 * same encoding). Only the index blocks on the way are read.
 */
export class DataBlockWalker {
  private top: BlockIter | undefined;
  private part: BlockIter | undefined;
  /** The index partition being walked (partitioned indexes only), for `verify`. */
  partitionHandle: BlockHandle | undefined;

  constructor(readonly table: SstTable) {}

  private get compare(): (a: Uint8Array, b: Uint8Array) => number {
    return this.table.indexKeysAreUserKeys ? compareIndexUserKey : compareInternalKeys;
  }

  private async topIter(): Promise<BlockIter> {
    this.top ??= (await this.table.indexBlock()).iter();
    return this.top;
  }

  private async openPartition(): Promise<Block> {
    this.partitionHandle = indexEntryHandle(this.top!);
    return this.table.readBlock(this.partitionHandle, 'index partition', this.table.indexFormat);
  }

  /** The first data block, or undefined for an empty table. */
  async first(): Promise<BlockHandle | undefined> {
    const top = await this.topIter();
    if (!top.seekToFirst()) return undefined;
    if (!this.table.partitionedIndex) return indexEntryHandle(top);
    return this.firstInPartitions();
  }

  private async firstInPartitions(): Promise<BlockHandle | undefined> {
    const top = this.top!;
    while (top.valid) {
      this.part = (await this.openPartition()).iter();
      if (this.part.seekToFirst()) return indexEntryHandle(this.part);
      top.next();
    }
    return undefined;
  }

  /** The first data block that can hold internal keys ≥ `target`. */
  async seek(target: Uint8Array): Promise<BlockHandle | undefined> {
    const top = await this.topIter();
    if (!top.seek(target, this.compare)) return undefined;
    if (!this.table.partitionedIndex) return indexEntryHandle(top);
    this.part = (await this.openPartition()).iter();
    if (this.part.seek(target, this.compare)) return indexEntryHandle(this.part);
    top.next();
    return this.firstInPartitions();
  }

  /** The data block after the current one. */
  async next(): Promise<BlockHandle | undefined> {
    const top = this.top;
    if (top === undefined || !top.valid) return undefined;
    if (!this.table.partitionedIndex) return top.next() ? indexEntryHandle(top) : undefined;
    if (this.part?.next()) return indexEntryHandle(this.part);
    top.next();
    return this.firstInPartitions();
  }
}
