import { Cursor, utf8 } from '../coding.js';
import { RocksError } from '../errors.js';
import { fieldCursor, readInternalKey, readNewFile, type FileMetaData, type ParsedInternalKey } from './file-meta.js';

/** Tags of a VersionEdit record (db/version_edit.h Tag). */
export const EditTag = {
  comparator: 1,
  logNumber: 2,
  nextFileNumber: 3,
  lastSequence: 4,
  compactCursor: 5,
  deletedFile: 6,
  newFile: 7,
  prevLogNumber: 9,
  minLogNumberToKeep: 10,
  newFile2: 100,
  newFile3: 102,
  newFile4: 103,
  columnFamily: 200,
  columnFamilyAdd: 201,
  columnFamilyDrop: 202,
  maxColumnFamily: 203,
  inAtomicGroup: 300,
  blobFileAddition: 400,
  blobFileGarbage: 401,
  /** Tags with this bit carry a varint32 length and may be skipped by readers not knowing them. */
  safeIgnoreMask: 8192,
  dbId: 8193,
  blobFileAdditionDeprecated: 8194,
  blobFileGarbageDeprecated: 8195,
  walAddition: 8196,
  walDeletion: 8197,
  fullHistoryTsLow: 8198,
  walAddition2: 8199,
  walDeletion2: 8200,
  persistUserDefinedTimestamps: 8201,
  subcompactionProgress: 8202,
  lastCompactedManifestFileSize: 8203,
} as const;

export interface BlobFileAddition {
  number: number;
  totalBlobCount: number;
  totalBlobBytes: number;
  checksumMethod: string;
  checksumValue: Uint8Array;
}

export interface BlobFileGarbage {
  number: number;
  garbageBlobCount: number;
  garbageBlobBytes: number;
}

export interface WalAddition {
  number: number;
  /** Synced size in bytes, when recorded. */
  syncedSize?: number;
}

/** One decoded VersionEdit: only the fields the record carries are set. */
export interface VersionEdit {
  /** File offset of the log record holding the edit. */
  offset: number;
  /** The column family the edit applies to (tag 200; 0 = "default" when absent). */
  columnFamily: number;
  comparator?: string;
  dbId?: string;
  logNumber?: number;
  prevLogNumber?: number;
  nextFileNumber?: number;
  lastSequence?: bigint;
  minLogNumberToKeep?: number;
  maxColumnFamily?: number;
  /** Name of the column family this edit creates. */
  columnFamilyAdd?: string;
  columnFamilyDrop?: boolean;
  /** Set when the edit belongs to an atomic group: how many edits of the group follow it. */
  atomicGroupRemaining?: number;
  deletedFiles: Array<{ level: number; number: number }>;
  newFiles: FileMetaData[];
  compactCursors: Array<{ level: number; key: ParsedInternalKey }>;
  blobFileAdditions: BlobFileAddition[];
  blobFileGarbage: BlobFileGarbage[];
  walAdditions: WalAddition[];
  walDeletion?: { number: number };
  fullHistoryTsLow?: Uint8Array;
  persistUserDefinedTimestamps?: boolean;
  lastCompactedManifestFileSize?: number;
  /** Tags skipped because they are safe to ignore (unknown ones and subcompaction progress). */
  skippedTags: number[];
}

/** Custom fields until end marker 0 (blob file records); mandatory ones (bit 6) are refused. */
function skipBlobCustomFields(c: Cursor, what: string): void {
  for (;;) {
    const at = c.pos;
    const tag = c.varint32(`${what} custom tag`);
    if (tag === 0) return;
    if (tag & 64) throw new RocksError('Unsupported', `${what}: custom field ${tag} must be understood`, { file: c.file, offset: c.base + at });
    c.lengthPrefixed(`${what} custom field`);
  }
}

function readBlobFileAddition(c: Cursor): BlobFileAddition {
  const a: BlobFileAddition = {
    number: c.varintNum('blob file number'),
    totalBlobCount: c.varintNum('total blob count'),
    totalBlobBytes: c.varintNum('total blob bytes'),
    checksumMethod: utf8(c.lengthPrefixed('blob checksum method')),
    checksumValue: c.lengthPrefixed('blob checksum value'),
  };
  skipBlobCustomFields(c, 'blob file addition');
  return a;
}

function readBlobFileGarbage(c: Cursor): BlobFileGarbage {
  const g: BlobFileGarbage = {
    number: c.varintNum('blob file number'),
    garbageBlobCount: c.varintNum('garbage blob count'),
    garbageBlobBytes: c.varintNum('garbage blob bytes'),
  };
  skipBlobCustomFields(c, 'blob file garbage');
  return g;
}

function readWalAddition(c: Cursor): WalAddition {
  const w: WalAddition = { number: c.varintNum('WAL number') };
  for (;;) {
    const at = c.pos;
    const tag = c.varint32('WAL addition tag');
    if (tag === 1) return w;
    if (tag !== 2) throw c.fail('BadRecord', `WAL addition: unknown tag ${tag}`, at);
    w.syncedSize = c.varintNum('WAL synced size');
  }
}

/**
 * Decodes one VersionEdit (db/version_edit.cc DecodeFrom). `offset` is the file offset of the
 * log record, `dataOffset` that of `data[0]`, for errors (a record reassembled from fragments
 * has offsets beyond its first fragment shifted by the headers in between).
 */
export function decodeVersionEdit(data: Uint8Array, file?: string, offset = 0, dataOffset = offset): VersionEdit {
  const c = new Cursor(data, file, dataOffset);
  const e: VersionEdit = {
    offset,
    columnFamily: 0,
    deletedFiles: [],
    newFiles: [],
    compactCursors: [],
    blobFileAdditions: [],
    blobFileGarbage: [],
    walAdditions: [],
    skippedTags: [],
  };
  while (!c.done) {
    const at = c.pos;
    const tag = c.varint32('VersionEdit tag');
    switch (tag) {
      case EditTag.comparator:
        e.comparator = utf8(c.lengthPrefixed('comparator name'));
        break;
      case EditTag.dbId:
        e.dbId = utf8(c.lengthPrefixed('DB id'));
        break;
      case EditTag.logNumber:
        e.logNumber = c.varintNum('log number');
        break;
      case EditTag.prevLogNumber:
        e.prevLogNumber = c.varintNum('previous log number');
        break;
      case EditTag.nextFileNumber:
        e.nextFileNumber = c.varintNum('next file number');
        break;
      case EditTag.lastSequence:
        e.lastSequence = c.varint64('last sequence');
        break;
      case EditTag.minLogNumberToKeep:
        e.minLogNumberToKeep = c.varintNum('min log number to keep');
        break;
      case EditTag.maxColumnFamily:
        e.maxColumnFamily = c.varint32('max column family');
        break;
      case EditTag.compactCursor:
        e.compactCursors.push({ level: c.varint32('level'), key: readInternalKey(c, 'compact cursor') });
        break;
      case EditTag.deletedFile:
        e.deletedFiles.push({ level: c.varint32('level'), number: c.varintNum('deleted file number') });
        break;
      case EditTag.newFile:
      case EditTag.newFile2:
      case EditTag.newFile3:
      case EditTag.newFile4: {
        const { file: f, minLogNumberToKeep } = readNewFile(c, tag);
        e.newFiles.push(f);
        if (minLogNumberToKeep !== undefined) {
          if (minLogNumberToKeep > BigInt(Number.MAX_SAFE_INTEGER)) throw c.fail('BadValue', 'min log number to keep is too large', at);
          e.minLogNumberToKeep = Number(minLogNumberToKeep);
        }
        break;
      }
      case EditTag.blobFileAddition:
      case EditTag.blobFileAdditionDeprecated:
        e.blobFileAdditions.push(readBlobFileAddition(c));
        break;
      case EditTag.blobFileGarbage:
      case EditTag.blobFileGarbageDeprecated:
        e.blobFileGarbage.push(readBlobFileGarbage(c));
        break;
      case EditTag.walAddition:
        e.walAdditions.push(readWalAddition(c));
        break;
      case EditTag.walAddition2:
        e.walAdditions.push(readWalAddition(fieldCursor(c, 'WAL addition')));
        break;
      case EditTag.walDeletion:
        e.walDeletion = { number: c.varintNum('WAL number') };
        break;
      case EditTag.walDeletion2:
        e.walDeletion = { number: fieldCursor(c, 'WAL deletion').varintNum('WAL number') };
        break;
      case EditTag.columnFamily:
        e.columnFamily = c.varint32('column family id');
        break;
      case EditTag.columnFamilyAdd:
        e.columnFamilyAdd = utf8(c.lengthPrefixed('column family name'));
        break;
      case EditTag.columnFamilyDrop:
        e.columnFamilyDrop = true;
        break;
      case EditTag.inAtomicGroup:
        e.atomicGroupRemaining = c.varint32('atomic group remaining entries');
        break;
      case EditTag.fullHistoryTsLow: {
        const ts = c.lengthPrefixed('full history ts low');
        if (ts.length === 0) throw c.fail('BadRecord', 'full history ts low is empty', at);
        e.fullHistoryTsLow = ts;
        break;
      }
      case EditTag.persistUserDefinedTimestamps: {
        const b = c.lengthPrefixed('persist user-defined timestamps');
        if (b.length !== 1) throw c.fail('BadRecord', `persist user-defined timestamps: field of ${b.length} bytes (needs 1)`, at);
        e.persistUserDefinedTimestamps = b[0] === 1;
        break;
      }
      case EditTag.lastCompactedManifestFileSize:
        e.lastCompactedManifestFileSize = fieldCursor(c, 'last compacted manifest file size').varintNum('last compacted manifest file size');
        break;
      default:
        if ((tag & EditTag.safeIgnoreMask) === 0) {
          throw new RocksError('Unsupported', `unknown VersionEdit tag ${tag}`, { file, offset: dataOffset + at });
        }
        // Subcompaction progress and tags from the future: length-prefixed, safe to skip.
        c.lengthPrefixed(`ignorable tag ${tag}`);
        e.skippedTags.push(tag);
    }
  }
  return e;
}
