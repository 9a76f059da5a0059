import { loadChecksums, checksumTypeName, contextModifier, ChecksumType } from '../checksum.js';
import { Cursor, readU32 } from '../coding.js';
import { RocksError } from '../errors.js';
import { BLOCK_TRAILER_SIZE, readBlockHandle, type BlockHandle } from './block-handle.js';

/** A table's footer: where the metaindex (and, before format_version 6, the index) is. */
export interface Footer {
  /** 0 for the legacy (LevelDB-magic) footer, else the stored format_version. */
  readonly formatVersion: number;
  /** Checksum type of every block (CRC32C for legacy footers). */
  readonly checksumType: number;
  readonly metaindex: BlockHandle;
  /** The top-level index block; undefined from format_version 6 on (it is named in the metaindex). */
  readonly index: BlockHandle | undefined;
  /** format_version ≥ 6: the base of the per-block context checksums (0 = none). */
  readonly baseContextChecksum: number;
  /** File offset where the footer starts. */
  readonly offset: number;
}

/** Bytes to read from the end of a file to be sure to hold any footer. */
export const MAX_FOOTER_SIZE = 53;
const LEGACY_FOOTER_SIZE = 48;

// Magic numbers as (high, low) 32-bit halves of the little-endian u64 at the end of the file.
const MAGIC = {
  blockBased: [0x88e241b7, 0x85f4cff7],
  legacyBlockBased: [0xdb477524, 0x8b80fb57],
  plain: [0x82422296, 0x63bf9564],
  legacyPlain: [0x4f3418eb, 0x7a8f13b8],
  cuckoo: [0x926789d0, 0xc5f17873],
} as const;

const EXTENDED_MAGIC = [0x3e, 0x00, 0x7a, 0x00];

/**
 * Decodes the footer from `tail`, the last bytes of a file of `fileSize` bytes
 * (table/format.cc Footer::DecodeFrom): legacy 48-byte footers (format_version 0, LevelDB magic),
 * 53-byte footers of format_version 1–5 and the checksummed format_version ≥ 6 footer.
 */
export async function readFooter(tail: Uint8Array, fileSize: number, file?: string): Promise<Footer> {
  const tailStart = fileSize - tail.length;
  const fail = (code: 'Truncated' | 'BadMagic' | 'Unsupported' | 'BadValue' | 'BadChecksum', detail: string, at: number) =>
    new RocksError(code, detail, { file, offset: tailStart + at });
  if (tail.length < LEGACY_FOOTER_SIZE) throw fail('Truncated', `a table file has at least ${LEGACY_FOOTER_SIZE} bytes of footer; this one has ${tail.length} bytes`, 0);
  const m = tail.length - 8;
  const lo = readU32(tail, m);
  const hi = readU32(tail, m + 4);
  const is = (x: readonly [number, number]) => hi === x[0] && lo === x[1];
  if (is(MAGIC.plain) || is(MAGIC.legacyPlain)) throw fail('Unsupported', 'this is a PlainTable SST; only block-based tables are read', m);
  if (is(MAGIC.cuckoo)) throw fail('Unsupported', 'this is a CuckooTable SST; only block-based tables are read', m);
  if (is(MAGIC.legacyBlockBased)) {
    const at = tail.length - LEGACY_FOOTER_SIZE;
    const c = new Cursor(tail, file, tailStart, at, m);
    const metaindex = readBlockHandle(c, 'metaindex handle');
    const index = readBlockHandle(c, 'index handle');
    return { formatVersion: 0, checksumType: ChecksumType.crc32c, metaindex, index, baseContextChecksum: 0, offset: tailStart + at };
  }
  if (!is(MAGIC.blockBased)) {
    throw fail('BadMagic', `not a block-based table: magic number 0x${hi.toString(16).padStart(8, '0')}${lo.toString(16).padStart(8, '0')}`, m);
  }
  if (tail.length < MAX_FOOTER_SIZE) throw fail('Truncated', `the footer needs ${MAX_FOOTER_SIZE} bytes; the file has ${tail.length}`, 0);
  const at = tail.length - MAX_FOOTER_SIZE;
  const formatVersion = readU32(tail, m - 4);
  const checksumType = tail[at]!;
  if (checksumTypeName(checksumType) === undefined) throw fail('BadValue', `unknown checksum type ${checksumType}`, at);
  if (formatVersion < 1 || formatVersion > 7) throw fail('Unsupported', `format_version ${formatVersion} (1 to 7 and the legacy footer are read)`, m - 4);
  const offset = tailStart + at;
  if (formatVersion < 6) {
    const c = new Cursor(tail, file, tailStart, at + 1, m - 4);
    const metaindex = readBlockHandle(c, 'metaindex handle');
    const index = readBlockHandle(c, 'index handle');
    return { formatVersion, checksumType, metaindex, index, baseContextChecksum: 0, offset };
  }
  for (let i = 0; i < 4; i++) {
    if (tail[at + 1 + i] !== EXTENDED_MAGIC[i]) throw fail('BadMagic', 'bad extended magic in a format_version ≥ 6 footer', at + 1);
  }
  const stored = readU32(tail, at + 5);
  const baseContextChecksum = readU32(tail, at + 9);
  const metaindexSize = readU32(tail, at + 13);
  if (contextModifier(baseContextChecksum, 0) === 0) throw fail('BadValue', 'invalid base context checksum 0', at + 9);
  for (let i = at + 33; i < at + 41; i++) {
    if (tail[i] !== 0) throw fail('Unsupported', 'the footer uses a future feature (reserved bytes are not zero)', at + 33);
  }
  if (checksumType !== ChecksumType.none) {
    const copy = tail.slice(at, at + MAX_FOOTER_SIZE);
    copy.fill(0, 5, 9);
    const computed = ((await loadChecksums(checksumType)).plain(checksumType, copy) + contextModifier(baseContextChecksum, offset)) >>> 0;
    if (computed !== stored) {
      throw fail('BadChecksum', `footer checksum mismatch: stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)}`, at + 5);
    }
  }
  const metaindexEnd = offset - BLOCK_TRAILER_SIZE;
  if (metaindexSize > metaindexEnd) throw fail('BadValue', `metaindex size ${metaindexSize} does not fit before the footer`, at + 13);
  return {
    formatVersion,
    checksumType,
    metaindex: { offset: metaindexEnd - metaindexSize, size: metaindexSize },
    index: undefined,
    baseContextChecksum,
    offset,
  };
}
