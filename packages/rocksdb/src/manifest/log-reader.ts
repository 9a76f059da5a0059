import { concatBytes } from '@ckpt/format';
import { maskCrc } from '@ckpt/format';
import { ChecksumType, loadChecksums, type Checksums } from '../checksum.js';
import { readU32 } from '../coding.js';
import { RocksError } from '../errors.js';
import type { RangedSource } from '../source.js';

/** Size of one block of a RocksDB log file (MANIFEST or WAL). */
export const LOG_BLOCK_SIZE = 32768;
/** checksum (4) + length (2) + type (1). */
export const LOG_HEADER_SIZE = 7;
/** The header of the recyclable record types: + the log number (4). */
export const RECYCLABLE_HEADER_SIZE = 11;

/** Physical record types of the log format (db/log_format.h). */
export const LogRecordType = {
  zero: 0,
  full: 1,
  first: 2,
  middle: 3,
  last: 4,
  recyclableFull: 5,
  recyclableFirst: 6,
  recyclableMiddle: 7,
  recyclableLast: 8,
  setCompression: 9,
  timestampSize: 10,
  recyclableTimestampSize: 11,
  predecessorWalInfo: 130,
  recyclablePredecessorWalInfo: 131,
} as const;

const SAFE_IGNORE_BIT = 0x80;

export interface LogReaderOptions {
  /**
   * What to do when the file ends inside a record (a partial header, a body running past the
   * end, or a fragmented record without its last fragment).
   *
   * Default `false`: a typed `Truncated` error. RocksDB itself opens a MANIFEST in the mode
   * kTolerateCorruptedTailRecords and silently drops such a tail, because a crashed writer leaves
   * one. A MANIFEST inside a checkpoint is different: Flink copies it up to the size RocksDB
   * reported at a record boundary, so a torn tail there means a damaged copy or upload, and
   * silently reading an older version of the DB would hide it. Set `true` to read like RocksDB's
   * recovery (the incomplete record is dropped, everything before it is returned).
   */
  tolerateTruncatedTail?: boolean;
  /**
   * Log number of the file, checked against the recyclable record types: a recycled record of
   * another log ends the log (as in RocksDB). Unchecked when undefined.
   */
  logNumber?: number;
}

/** One logical record of a log file. */
export interface LogRecord {
  /** File offset of the header of the record's first fragment. */
  offset: number;
  /** File offset of the record's first payload byte. */
  dataOffset: number;
  /** File offset just past the record's last fragment. */
  end: number;
  data: Uint8Array;
}

function isRecyclable(type: number): boolean {
  return (
    (type >= LogRecordType.recyclableFull && type <= LogRecordType.recyclableLast) ||
    type === LogRecordType.recyclableTimestampSize ||
    type === LogRecordType.recyclablePredecessorWalInfo
  );
}

/** FULL/FIRST/MIDDLE/LAST of both header sizes as 1..4. */
function fragmentKind(type: number): number {
  if (type >= LogRecordType.full && type <= LogRecordType.last) return type;
  if (type >= LogRecordType.recyclableFull && type <= LogRecordType.recyclableLast) return type - 4;
  return 0;
}

/**
 * Reads the logical records of a RocksDB log file (db/log_reader.cc) block by block: at most one
 * 32 KiB block and the record being reassembled are held. Every fragment's CRC32C is verified.
 */
export class LogReader {
  private checksums: Checksums | undefined;

  constructor(
    readonly source: RangedSource,
    readonly options: LogReaderOptions = {},
  ) {}

  private fail(code: 'BadRecord' | 'BadChecksum' | 'Truncated' | 'Unsupported', detail: string, offset: number): RocksError {
    return new RocksError(code, detail, { file: this.source.name, offset });
  }

  private async readBlock(offset: number, length: number): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await this.source.read(offset, length);
    } catch (e) {
      if (e instanceof RocksError) throw e;
      throw new RocksError('Io', `cannot read log block: ${(e as Error)?.message ?? e}`, { file: this.source.name, offset, cause: e });
    }
    if (bytes.length !== length) {
      throw this.fail('Truncated', `log block read returned ${bytes.length} of ${length} bytes`, offset + Math.min(bytes.length, length));
    }
    return bytes;
  }

  /** The logical records in file order. */
  async *records(): AsyncGenerator<LogRecord> {
    const crc = (this.checksums ??= await loadChecksums(ChecksumType.crc32c));
    const size = await this.source.size();
    const tolerate = this.options.tolerateTruncatedTail === true;
    let parts: Uint8Array[] = [];
    let partBytes = 0;
    let inFragment = false;
    let recordStart = 0;
    let dataStart = 0;
    let anyRead = false;
    let recycled = false;

    const truncated = (detail: string, offset: number): RocksError | undefined =>
      tolerate ? undefined : this.fail('Truncated', `${detail} at the end of the log`, offset);

    for (let blockStart = 0; blockStart < size; blockStart += LOG_BLOCK_SIZE) {
      const blockLen = Math.min(LOG_BLOCK_SIZE, size - blockStart);
      const atEof = blockStart + blockLen >= size;
      const block = await this.readBlock(blockStart, blockLen);
      let pos = 0;
      while (pos < blockLen) {
        const at = blockStart + pos;
        const left = blockLen - pos;
        // Fewer bytes than a header left in a full block: zero padding, go on with the next one.
        if (left < LOG_HEADER_SIZE) {
          if (!atEof || blockLen === LOG_BLOCK_SIZE) break;
          const err = truncated('a partial record header', at);
          if (err) throw err;
          return;
        }
        const type = block[pos + 6]!;
        const length = block[pos + 4]! | (block[pos + 5]! << 8);
        const recyclable = isRecyclable(type);
        const headerSize = recyclable ? RECYCLABLE_HEADER_SIZE : LOG_HEADER_SIZE;
        if (recyclable) {
          if (anyRead && !recycled) throw this.fail('BadRecord', `recyclable record (type ${type}) in a log that did not start with one`, at);
          recycled = true;
          if (left < headerSize) {
            if (!atEof || blockLen === LOG_BLOCK_SIZE) break;
            const err = truncated('a partial record header', at);
            if (err) throw err;
            return;
          }
        }
        if (headerSize + length > left) {
          if (atEof && blockLen < LOG_BLOCK_SIZE) {
            const err = truncated(`a record of ${length} bytes running past the end`, at);
            if (err) throw err;
            return;
          }
          throw this.fail('BadRecord', `record length ${length} runs past the end of its block`, at);
        }
        if (type === LogRecordType.zero && length === 0) {
          // Preallocated (zero-filled) space: RocksDB skips the rest of the block.
          break;
        }
        const stored = readU32(block, pos);
        const actual = maskCrc(crc.crc32c(block.subarray(pos + 6, pos + headerSize + length)));
        if (stored !== actual) {
          throw this.fail('BadChecksum', `log record checksum mismatch (stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)})`, at);
        }
        if (recyclable && this.options.logNumber !== undefined && readU32(block, pos + 7) !== this.options.logNumber) {
          // A record left over from the file's previous use as another log: the log ends here.
          if (inFragment && !tolerate) throw this.fail('Truncated', 'a fragmented record ends at a recycled record', at);
          return;
        }
        const payload = block.subarray(pos + headerSize, pos + headerSize + length);
        pos += headerSize + length;

        switch (fragmentKind(type)) {
          case 1: // FULL
          case 2: // FIRST
            // An empty FIRST at a block's end followed by a new record is an old writer's quirk.
            if (inFragment && partBytes > 0) throw this.fail('BadRecord', 'a fragmented record without its last fragment', recordStart);
            recordStart = at;
            dataStart = at + headerSize;
            if (fragmentKind(type) === 1) {
              inFragment = false;
              parts = [];
              partBytes = 0;
              anyRead = true;
              yield { offset: at, dataOffset: dataStart, end: blockStart + pos, data: payload.slice() };
            } else {
              inFragment = true;
              parts = [payload.slice()];
              partBytes = payload.length;
            }
            break;
          case 3: // MIDDLE
          case 4: // LAST
            if (!inFragment) throw this.fail('BadRecord', `a ${type === 3 || type === 7 ? 'middle' : 'last'} fragment without a first`, at);
            parts.push(payload.slice());
            partBytes += payload.length;
            if (fragmentKind(type) === 4) {
              const data = concatBytes(parts);
              inFragment = false;
              parts = [];
              partBytes = 0;
              anyRead = true;
              yield { offset: recordStart, dataOffset: dataStart, end: blockStart + pos, data };
            }
            break;
          default:
            this.other(type, payload, at, anyRead, inFragment && partBytes > 0);
            if (type >= SAFE_IGNORE_BIT && type !== LogRecordType.predecessorWalInfo && type !== LogRecordType.recyclablePredecessorWalInfo) {
              // RocksDB drops a record in progress when an unknown ignorable type interrupts it.
              inFragment = false;
              parts = [];
              partBytes = 0;
            }
        }
      }
    }
    if (inFragment) {
      const err = truncated('a fragmented record without its last fragment', recordStart);
      if (err) throw err;
    }
  }

  /** Records that are not (fragments of) logical records. */
  private other(type: number, payload: Uint8Array, at: number, anyRead: boolean, midRecord: boolean): void {
    switch (type) {
      case LogRecordType.zero:
        throw this.fail('BadRecord', `a zero-type record of ${payload.length} bytes`, at);
      case LogRecordType.setCompression: {
        if (anyRead) throw this.fail('BadRecord', 'a set-compression record after the first record', at);
        const compression = payload.length >= 4 ? readU32(payload, 0) : -1;
        if (compression !== 0) throw this.fail('Unsupported', `the log's records are compressed (compression type ${compression})`, at);
        return;
      }
      case LogRecordType.timestampSize:
      case LogRecordType.recyclableTimestampSize:
        if (midRecord) throw this.fail('BadRecord', 'a timestamp-size record inside a fragmented record', at);
        return; // user-defined timestamp sizes of WAL column families: nothing for a MANIFEST
      default:
        if ((type & SAFE_IGNORE_BIT) === 0) throw this.fail('BadRecord', `unknown log record type ${type}`, at);
    }
  }
}

/** All logical records of a log file (see {@link LogReader}). */
export function readLogRecords(source: RangedSource, options: LogReaderOptions = {}): AsyncGenerator<LogRecord> {
  return new LogReader(source, options).records();
}
