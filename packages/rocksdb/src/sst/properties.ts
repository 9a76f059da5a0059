import { Cursor, compareBytes, readU32, readU64, toHex, utf8 } from '../coding.js';
import type { Block } from './block.js';

/**
 * The table properties block (`rocksdb.properties`) as a typed object. Predefined numeric
 * properties are varint64 in the file; names and options are strings; anything else
 * (user-collected properties) is kept in `user` as text when it is valid UTF-8, hex otherwise.
 */
export interface TableProperties {
  columnFamilyId?: number;
  columnFamilyName?: string;
  comparator?: string;
  mergeOperator?: string;
  prefixExtractorName?: string;
  propertyCollectors?: string;
  filterPolicy?: string;
  compression?: string;
  compressionOptions?: string;
  dbId?: string;
  dbSessionId?: string;
  dbHostId?: string;
  originalFileNumber?: number;
  dataSize?: number;
  indexSize?: number;
  indexPartitions?: number;
  topLevelIndexSize?: number;
  indexKeyIsUserKey?: number;
  indexValueIsDeltaEncoded?: number;
  filterSize?: number;
  rawKeySize?: number;
  rawValueSize?: number;
  numDataBlocks?: number;
  numEntries?: number;
  numFilterEntries?: number;
  numDeletions?: number;
  numMergeOperands?: number;
  numRangeDeletions?: number;
  /** Always 0 for block-based tables: the footer has the real format_version. */
  formatVersion?: number;
  fixedKeyLength?: number;
  /** Seconds since the epoch. */
  creationTime?: number;
  oldestKeyTime?: number;
  newestKeyTime?: number;
  fileCreationTime?: number;
  tailStartOffset?: number;
  keyLargestSeqno?: bigint;
  keySmallestSeqno?: bigint;
  dataBlockRestartInterval?: number;
  indexBlockRestartInterval?: number;
  /** `rocksdb.block.based.table.index.type`: 0 binary search, 1 hash, 2 two-level, 3 with first key. */
  indexType?: number;
  /** Files written by SstFileWriter (ingested): `rocksdb.external_sst_file.version`. */
  externalSstFileVersion?: number;
  /** `rocksdb.external_sst_file.global_seqno` (version ≥ 2). */
  globalSeqno?: bigint;
  /** Every other property: user-collected ones, newer RocksDB's. */
  user: Record<string, string>;
}

type Kind = 'string' | 'number' | 'seqno';
const KNOWN: Record<string, [keyof TableProperties, Kind]> = {
  'rocksdb.column.family.id': ['columnFamilyId', 'number'],
  'rocksdb.column.family.name': ['columnFamilyName', 'string'],
  'rocksdb.comparator': ['comparator', 'string'],
  'rocksdb.merge.operator': ['mergeOperator', 'string'],
  'rocksdb.prefix.extractor.name': ['prefixExtractorName', 'string'],
  'rocksdb.property.collectors': ['propertyCollectors', 'string'],
  'rocksdb.filter.policy': ['filterPolicy', 'string'],
  'rocksdb.compression': ['compression', 'string'],
  'rocksdb.compression_options': ['compressionOptions', 'string'],
  'rocksdb.creating.db.identity': ['dbId', 'string'],
  'rocksdb.creating.session.identity': ['dbSessionId', 'string'],
  'rocksdb.creating.host.identity': ['dbHostId', 'string'],
  'rocksdb.original.file.number': ['originalFileNumber', 'number'],
  'rocksdb.data.size': ['dataSize', 'number'],
  'rocksdb.index.size': ['indexSize', 'number'],
  'rocksdb.index.partitions': ['indexPartitions', 'number'],
  'rocksdb.top-level.index.size': ['topLevelIndexSize', 'number'],
  'rocksdb.index.key.is.user.key': ['indexKeyIsUserKey', 'number'],
  'rocksdb.index.value.is.delta.encoded': ['indexValueIsDeltaEncoded', 'number'],
  'rocksdb.filter.size': ['filterSize', 'number'],
  'rocksdb.raw.key.size': ['rawKeySize', 'number'],
  'rocksdb.raw.value.size': ['rawValueSize', 'number'],
  'rocksdb.num.data.blocks': ['numDataBlocks', 'number'],
  'rocksdb.num.entries': ['numEntries', 'number'],
  'rocksdb.num.filter_entries': ['numFilterEntries', 'number'],
  'rocksdb.deleted.keys': ['numDeletions', 'number'],
  'rocksdb.merge.operands': ['numMergeOperands', 'number'],
  'rocksdb.num.range-deletions': ['numRangeDeletions', 'number'],
  'rocksdb.format.version': ['formatVersion', 'number'],
  'rocksdb.fixed.key.length': ['fixedKeyLength', 'number'],
  'rocksdb.creation.time': ['creationTime', 'number'],
  'rocksdb.oldest.key.time': ['oldestKeyTime', 'number'],
  'rocksdb.newest.key.time': ['newestKeyTime', 'number'],
  'rocksdb.file.creation.time': ['fileCreationTime', 'number'],
  'rocksdb.tail.start.offset': ['tailStartOffset', 'number'],
  'rocksdb.key.largest.seqno': ['keyLargestSeqno', 'seqno'],
  'rocksdb.key.smallest.seqno': ['keySmallestSeqno', 'seqno'],
  'rocksdb.data.block.restart.interval': ['dataBlockRestartInterval', 'number'],
  'rocksdb.index.block.restart.interval': ['indexBlockRestartInterval', 'number'],
};

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function text(v: Uint8Array): string {
  try {
    return strict.decode(v);
  } catch {
    return `0x${toHex(v)}`;
  }
}

/** Decodes a properties block (entries sorted by name, as RocksDB requires). */
export function readProperties(block: Block): TableProperties {
  const props: TableProperties = { user: {} };
  const out = props as unknown as Record<string, unknown>;
  const it = block.iter();
  let last: Uint8Array | undefined;
  for (let ok = it.seekToFirst(); ok; ok = it.next()) {
    const key = it.key();
    if (last !== undefined && compareBytes(key, last) <= 0) throw block.error('properties are not sorted', it.entryOffset);
    last = key.slice();
    const name = utf8(key);
    const value = it.value();
    const at = block.offset + it.valueStart;
    const known = KNOWN[name];
    if (known !== undefined) {
      const [field, kind] = known;
      if (kind === 'string') out[field] = utf8(value);
      else {
        const c = new Cursor(value, block.file, at);
        const v = c.varint64(name);
        if (kind === 'seqno') out[field] = v;
        else if (v <= BigInt(Number.MAX_SAFE_INTEGER)) out[field] = Number(v);
        else props.user[name] = v.toString();
      }
    } else if (name === 'rocksdb.block.based.table.index.type' && value.length === 4) {
      props.indexType = readU32(value, 0);
    } else if (name === 'rocksdb.external_sst_file.version' && value.length === 4) {
      props.externalSstFileVersion = readU32(value, 0);
    } else if (name === 'rocksdb.external_sst_file.global_seqno' && value.length === 8) {
      props.globalSeqno = readU64(value, 0);
    } else {
      props.user[name] = text(value);
    }
  }
  return props;
}
