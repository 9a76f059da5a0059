import { CkptError, type ErrorContext } from '@ckpt/format';

/** Codes of {@link RocksError}: what went wrong while reading a RocksDB file. */
export type RocksErrorCode =
  /** The file ends before a structure it announces. */
  | 'Truncated'
  /** The footer's magic number is not that of a block-based table (or a log is not a MANIFEST). */
  | 'BadMagic'
  /** A block, footer or log record checksum does not match the bytes. */
  | 'BadChecksum'
  /** A compressed block does not decompress to the size it declares. */
  | 'BadCompression'
  /** A valid feature this reader does not implement (plain/cuckoo tables, blob indexes, bzip2, …). */
  | 'Unsupported'
  /** A block's entries or restart array are inconsistent. */
  | 'BadBlock'
  /** A field holds a value outside its domain (varint overflow, unknown tag, bad key). */
  | 'BadValue'
  /** A MANIFEST record or VersionEdit is malformed. */
  | 'BadRecord'
  /** The ranged-read source failed. */
  | 'Io';

/** An error found in a RocksDB file; `file` and `offset` name where. */
export class RocksError extends CkptError {
  declare readonly code: RocksErrorCode;
  constructor(code: RocksErrorCode, detail: string, ctx: ErrorContext = {}) {
    super(code, detail, ctx);
  }
}
