import { loadChecksums, type Checksums, checksumTypeName, contextModifier } from '../checksum.js';
import { Cursor, readU32, utf8 } from '../coding.js';
import { decompress, DEFAULT_MAX_BLOCK_BYTES, prepareDecompression } from '../compression.js';
import { RocksError } from '../errors.js';
import { DEFAULT_READ_AHEAD, ReadAheadSource } from '../read-ahead.js';
import { readExact, readExactWith, type RangedSource } from '../source.js';
import { Block, type BlockFormat } from './block.js';
import { BLOCK_TRAILER_SIZE, readBlockHandle, type BlockHandle } from './block-handle.js';
import { MAX_FOOTER_SIZE, readFooter, type Footer } from './footer.js';
import { readProperties, type TableProperties } from './properties.js';

export interface OpenTableOptions {
  /** Verify every block's checksum as it is read (default true). */
  verifyChecksums?: boolean;
  /** Largest uncompressed block accepted (default 256 MiB). */
  maxBlockBytes?: number;
  /**
   * Bytes fetched at least per read from the source (default 256 KiB; 0: exactly the bytes of each
   * block). A scan reads blocks in file order, so one ranged read serves many blocks.
   */
  readAhead?: number;
  /**
   * The sequence number of every entry of an ingested (SstFileWriter) file whose own entries
   * carry 0: the MANIFEST's largest_seqno when the file's global-seqno property is 0.
   */
  globalSeqno?: bigint;
}

/** The index types of `rocksdb.block.based.table.index.type`. */
export const IndexType = { binarySearch: 0, hashSearch: 1, twoLevel: 2, binarySearchWithFirstKey: 3 } as const;

/** What a block is, for messages. */
export type BlockKind = 'data' | 'index' | 'index partition' | 'metaindex' | 'properties' | 'range deletion' | 'meta';

/**
 * One block-based SST file, opened through ranged reads: footer, metaindex and properties are
 * read on open (plus the top-level index); data blocks only when iterated.
 */
export class SstTable {
  private topIndex: Block | undefined;

  private constructor(
    readonly source: RangedSource,
    readonly size: number,
    readonly footer: Footer,
    /** Meta block name → handle (properties, range deletions, filters, …). */
    readonly metaindex: ReadonlyMap<string, BlockHandle>,
    readonly properties: TableProperties,
    private readonly checksums: Checksums,
    private readonly options: Required<Omit<OpenTableOptions, 'globalSeqno'>> & { globalSeqno: bigint | undefined },
  ) {}

  static async open(given: RangedSource, options: OpenTableOptions = {}): Promise<SstTable> {
    const readAhead = options.readAhead ?? DEFAULT_READ_AHEAD;
    const source = readAhead > 0 ? new ReadAheadSource(given, readAhead) : given;
    const size = await source.size();
    const tailLength = Math.min(MAX_FOOTER_SIZE, size);
    const tail = await readExact(source, size - tailLength, tailLength, 'footer');
    const footer = await readFooter(tail, size, source.name);
    const checksums = await loadChecksums(footer.checksumType);
    const opts = {
      readAhead,
      verifyChecksums: options.verifyChecksums ?? true,
      maxBlockBytes: options.maxBlockBytes ?? DEFAULT_MAX_BLOCK_BYTES,
      globalSeqno: options.globalSeqno,
    };
    const partial = new SstTable(source, size, footer, new Map(), { user: {} }, checksums, opts);
    const metaBlock = await partial.readBlock(footer.metaindex, 'metaindex');
    const metaindex = new Map<string, BlockHandle>();
    const it = metaBlock.iter();
    for (let ok = it.seekToFirst(); ok; ok = it.next()) {
      const c = new Cursor(it.value(), source.name, metaBlock.offset + it.valueStart);
      metaindex.set(utf8(it.key()), readBlockHandle(c, 'meta block handle'));
    }
    const propsHandle = metaindex.get('rocksdb.properties') ?? metaindex.get('rocksdb.stats');
    const properties = propsHandle ? readProperties(await partial.readBlock(propsHandle, 'properties')) : { user: {} };
    return new SstTable(source, size, footer, metaindex, properties, checksums, opts);
  }

  get name(): string {
    return this.source.name;
  }

  /** The format_version from the footer (0 for the legacy footer). */
  get formatVersion(): number {
    return this.footer.formatVersion;
  }

  get checksumType(): string {
    return checksumTypeName(this.footer.checksumType) ?? String(this.footer.checksumType);
  }

  /** The handle of the (top-level) index block: in the footer, or from format_version 6 the metaindex. */
  get indexHandle(): BlockHandle {
    const h = this.footer.index ?? this.metaindex.get('rocksdb.index');
    if (h === undefined) throw new RocksError('BadValue', 'the metaindex names no rocksdb.index block', { file: this.name, offset: this.footer.metaindex.offset });
    return h;
  }

  /** How index values are encoded (table properties). */
  get indexFormat(): BlockFormat {
    return {
      deltaValues: this.properties.indexValueIsDeltaEncoded === 1,
      firstKeys: this.properties.indexType === IndexType.binarySearchWithFirstKey,
    };
  }

  /** Index keys are user keys (no sequence number) — `rocksdb.index.key.is.user.key`. */
  get indexKeysAreUserKeys(): boolean {
    return this.properties.indexKeyIsUserKey === 1;
  }

  get partitionedIndex(): boolean {
    return this.properties.indexType === IndexType.twoLevel;
  }

  /** The sequence number that replaces the stored 0s of an ingested file, if any. */
  get globalSeqno(): bigint | undefined {
    if (this.options.globalSeqno !== undefined) return this.options.globalSeqno;
    const v = this.properties.externalSstFileVersion;
    if (v !== undefined && v >= 2 && this.properties.globalSeqno !== undefined && this.properties.globalSeqno !== 0n) {
      return this.properties.globalSeqno;
    }
    return undefined;
  }

  /**
   * Reads one block with its trailer, verifies the checksum (plus the format_version ≥ 6 context
   * modifier) and decompresses it.
   * `readAheadLimit`: the file offset the read-ahead window stops at (the end of the last block a
   * bounded scan can need).
   */
  async readBlock(handle: BlockHandle, kind: BlockKind, format: BlockFormat = {}, readAheadLimit?: number): Promise<Block> {
    return new Block(await this.readBlockContents(handle, kind, readAheadLimit), handle.offset, this.name, format);
  }

  /** A block's verified, uncompressed contents (for meta blocks not in the block format: filters). */
  async readBlockContents(handle: BlockHandle, kind: BlockKind, readAheadLimit?: number): Promise<Uint8Array> {
    const end = handle.offset + handle.size + BLOCK_TRAILER_SIZE;
    if (end > this.footer.offset) {
      throw new RocksError('BadValue', `${kind} block at ${handle.offset} of ${handle.size} bytes runs past the footer at ${this.footer.offset}`, {
        file: this.name,
        offset: handle.offset,
      });
    }
    // checked and decompressed straight from the read-ahead window (no copy of the raw block)
    const got = await readExactWith(this.source, handle.offset, handle.size + BLOCK_TRAILER_SIZE, `${kind} block`, readAheadLimit, (raw, recycled) => {
      if (this.options.verifyChecksums) this.verifyTrailer(raw, handle, kind);
      const type = raw[handle.size]!;
      const data = raw.subarray(0, handle.size);
      if (prepareDecompression(type) !== undefined) return { type, data: data.slice() };
      return this.decompressed(type, data, handle, recycled);
    });
    if (got instanceof Uint8Array) return got;
    // the first block of a codec whose decoder is not loaded yet
    await prepareDecompression(got.type);
    return this.decompressed(got.type, got.data, handle, false);
  }

  /** The block's contents, in memory of their own when `data` is in a recycled buffer. */
  private decompressed(type: number, data: Uint8Array, handle: BlockHandle, recycled: boolean): Uint8Array {
    const out = decompress(type, data, this.footer.formatVersion, { file: this.name, offset: handle.offset }, this.options.maxBlockBytes);
    return recycled && out.buffer === data.buffer ? out.slice() : out;
  }

  private verifyTrailer(raw: Uint8Array, handle: BlockHandle, kind: BlockKind): void {
    const type = this.footer.checksumType;
    if (type === 0) return;
    const data = raw.subarray(0, handle.size);
    const stored = readU32(raw, handle.size + 1);
    const computed = (this.checksums.block(type, data, raw[handle.size]!) + contextModifier(this.footer.baseContextChecksum, handle.offset)) >>> 0;
    if (stored !== computed) {
      throw new RocksError(
        'BadChecksum',
        `${kind} block checksum mismatch (${this.checksumType}): stored 0x${stored.toString(16).padStart(8, '0')}, computed 0x${computed.toString(16).padStart(8, '0')}`,
        { file: this.name, offset: handle.offset },
      );
    }
  }

  /** Gives back the read-ahead windows (a scan reached the end); a later read fetches again. */
  releaseReadAhead(): void {
    if (this.source instanceof ReadAheadSource) this.source.release();
  }

  /** The top-level index block (read once). */
  async indexBlock(): Promise<Block> {
    this.topIndex ??= await this.readBlock(this.indexHandle, 'index', this.indexFormat);
    return this.topIndex;
  }

  /** The range tombstones block, if the table has one. */
  async rangeDeletionBlock(): Promise<Block | undefined> {
    const h = this.metaindex.get('rocksdb.range_del');
    return h ? this.readBlock(h, 'range deletion') : undefined;
  }

  /** Compression of the table as the properties name it (blocks may still be stored uncompressed). */
  get compression(): string | undefined {
    return this.properties.compression;
  }
}
