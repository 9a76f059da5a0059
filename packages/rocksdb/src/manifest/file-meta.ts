import { Cursor, readU64, utf8 } from '../coding.js';
import { RocksError } from '../errors.js';
import { MAX_SEQUENCE } from '../internal-key.js';

/** An internal key split into its parts. */
export interface ParsedInternalKey {
  userKey: Uint8Array;
  seq: bigint;
  /** The value type byte (db/dbformat.h ValueType). */
  type: number;
}

/** A table file added by a VersionEdit (db/version_edit.h FileMetaData). */
export interface FileMetaData {
  level: number;
  /** The file number: the table is `sstFileName(number)`. */
  number: number;
  /** Index into the DB's `db_paths` (0 = the DB directory). */
  pathId: number;
  size: number;
  smallest: ParsedInternalKey;
  largest: ParsedInternalKey;
  smallestSeqno: bigint;
  largestSeqno: bigint;
  /** Unix seconds; 0 = unknown. */
  creationTime?: number;
  /** Unix seconds; 0 = unknown. */
  oldestAncesterTime?: number;
  epochNumber?: number;
  /** The table's unique id (two 64-bit halves, as `manifest_dump` prints them "internal"). */
  uniqueId?: [bigint, bigint];
  fileChecksum?: Uint8Array;
  fileChecksumFuncName?: string;
  /** RocksDB's Temperature byte (0 unknown, 4 hot, 8 warm, 0x0a cool, 0x0c cold, 0x10 ice). */
  temperature?: number;
  markedForCompaction?: boolean;
  oldestBlobFileNumber?: number;
  compensatedRangeDeletionSize?: number;
  tailSize?: number;
  userDefinedTimestampsPersisted?: boolean;
  minTimestamp?: Uint8Array;
  maxTimestamp?: Uint8Array;
  fileOpenMetadata?: Uint8Array;
}

/** Custom field tags of NewFile4 (db/version_edit.h NewFileCustomTag). */
export const NewFileTag = {
  terminate: 1,
  needCompaction: 2,
  minLogNumberToKeepHack: 3,
  oldestBlobFileNumber: 4,
  oldestAncesterTime: 5,
  creationTime: 6,
  fileChecksum: 7,
  fileChecksumFuncName: 8,
  temperature: 9,
  minTimestamp: 10,
  maxTimestamp: 11,
  uniqueId: 12,
  epochNumber: 13,
  compensatedRangeDeletionSize: 14,
  tailSize: 15,
  userDefinedTimestampsPersisted: 16,
  fileOpenMetadata: 17,
  /** Bit of the tags a reader must understand. */
  nonSafeIgnoreMask: 64,
  pathId: 65,
} as const;

const TEMPERATURE_LIMIT = 0x11;

/** A length-prefixed internal key (user key + 8-byte trailer). */
export function readInternalKey(c: Cursor, what: string): ParsedInternalKey {
  const start = c.pos;
  const b = c.lengthPrefixed(what);
  if (b.length < 8) throw c.fail('BadRecord', `${what}: internal key of ${b.length} bytes (needs at least 8)`, start);
  const trailer = readU64(b, b.length - 8);
  return { userKey: b.subarray(0, b.length - 8), seq: trailer >> 8n, type: Number(trailer & 0xffn) };
}

/** A sub-cursor over one length-prefixed field (offsets stay file offsets). */
export function fieldCursor(c: Cursor, what: string): Cursor {
  const n = c.varint32(`${what} length`);
  c.need(n, what);
  const sub = new Cursor(c.buf, c.file, c.base, c.pos, c.pos + n);
  c.pos += n;
  return sub;
}

function oneByte(f: Cursor, what: string): number {
  if (f.remaining !== 1) throw f.fail('BadRecord', `${what}: field of ${f.remaining} bytes (needs 1)`);
  return f.u8(what);
}

/**
 * The fields of tags 7 NewFile, 100 NewFile2, 102 NewFile3 and 103 NewFile4 after the tag.
 * Returns the file and, for NewFile4, the min-log-number-to-keep carried in its custom fields.
 */
export function readNewFile(c: Cursor, tag: 7 | 100 | 102 | 103): { file: FileMetaData; minLogNumberToKeep?: bigint } {
  const level = c.varint32('level');
  const number = c.varintNum('file number');
  const pathId = tag === 102 ? c.varint32('path id') : 0;
  const size = c.varintNum('file size');
  const smallest = readInternalKey(c, 'smallest key');
  const largest = readInternalKey(c, 'largest key');
  const file: FileMetaData = {
    level,
    number,
    pathId,
    size,
    smallest,
    largest,
    // RocksDB's FileDescriptor defaults when a record does not carry the sequence numbers.
    smallestSeqno: MAX_SEQUENCE,
    largestSeqno: 0n,
  };
  if (tag === 7) return { file };
  file.smallestSeqno = c.varint64('smallest seqno');
  file.largestSeqno = c.varint64('largest seqno');
  if (tag !== 103) return { file };
  let minLogNumberToKeep: bigint | undefined;
  for (;;) {
    const at = c.pos;
    const custom = c.varint32('NewFile4 custom tag');
    if (custom === NewFileTag.terminate) break;
    const f = fieldCursor(c, `NewFile4 custom field ${custom}`);
    switch (custom) {
      case NewFileTag.pathId:
        file.pathId = oneByte(f, 'path id');
        if (file.pathId > 3) throw f.fail('BadRecord', `path id ${file.pathId} out of range`, f.pos - 1);
        break;
      case NewFileTag.oldestAncesterTime:
        file.oldestAncesterTime = f.varintNum('oldest ancester time');
        break;
      case NewFileTag.creationTime:
        file.creationTime = f.varintNum('file creation time');
        break;
      case NewFileTag.epochNumber:
        file.epochNumber = f.varintNum('epoch number');
        break;
      case NewFileTag.fileChecksum:
        file.fileChecksum = f.bytes(f.remaining);
        break;
      case NewFileTag.fileChecksumFuncName:
        file.fileChecksumFuncName = utf8(f.bytes(f.remaining));
        break;
      case NewFileTag.needCompaction:
        file.markedForCompaction = oneByte(f, 'need compaction') === 1;
        break;
      case NewFileTag.minLogNumberToKeepHack:
        minLogNumberToKeep = f.u64('min log number to keep');
        break;
      case NewFileTag.oldestBlobFileNumber:
        file.oldestBlobFileNumber = f.varintNum('oldest blob file number');
        break;
      case NewFileTag.temperature: {
        const t = oneByte(f, 'temperature');
        // RocksDB keeps temperatures it does not know as "unknown".
        if (t < TEMPERATURE_LIMIT) file.temperature = t;
        break;
      }
      case NewFileTag.uniqueId: {
        if (f.remaining !== 16) throw f.fail('BadRecord', `unique id of ${f.remaining} bytes (needs 16)`);
        file.uniqueId = [f.u64('unique id'), f.u64('unique id')];
        break;
      }
      case NewFileTag.compensatedRangeDeletionSize:
        file.compensatedRangeDeletionSize = f.varintNum('compensated range deletion size');
        break;
      case NewFileTag.tailSize:
        file.tailSize = f.varintNum('tail size');
        break;
      case NewFileTag.userDefinedTimestampsPersisted:
        file.userDefinedTimestampsPersisted = oneByte(f, 'timestamps persisted') === 1;
        break;
      case NewFileTag.minTimestamp:
        file.minTimestamp = f.bytes(f.remaining);
        break;
      case NewFileTag.maxTimestamp:
        file.maxTimestamp = f.bytes(f.remaining);
        break;
      case NewFileTag.fileOpenMetadata:
        file.fileOpenMetadata = f.bytes(f.remaining);
        break;
      default:
        if (custom & NewFileTag.nonSafeIgnoreMask) {
          throw new RocksError('Unsupported', `NewFile4 custom field ${custom} must be understood to open the DB`, { file: c.file, offset: c.base + at });
        }
    }
  }
  return minLogNumberToKeep === undefined ? { file } : { file, minLogNumberToKeep };
}
