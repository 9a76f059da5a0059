export { RocksError, type RocksErrorCode } from './errors.js';
export { BytesSource, readExact, type RangedSource } from './source.js';
export { Cursor, compareBytes, toHex, utf8 } from './coding.js';
export { ChecksumType, Checksums, checksumTypeName, loadChecksums, contextModifier, type ChecksumTypeName } from './checksum.js';
export { CompressionType, compressionName, decompress, prepareDecompression, DEFAULT_MAX_BLOCK_BYTES } from './compression.js';
export {
  ValueType,
  MAX_SEQUENCE,
  compareInternalKeys,
  seekKey,
  sequenceOf,
  typeCode,
  entryType,
  type EntryType,
  type InternalEntry,
} from './internal-key.js';
export { Block, BlockIter, type BlockFormat } from './sst/block.js';
export { BLOCK_TRAILER_SIZE, type BlockHandle } from './sst/block-handle.js';
export { readFooter, type Footer } from './sst/footer.js';
export { readProperties, type TableProperties } from './sst/properties.js';
export { SstTable, IndexType, type OpenTableOptions, type BlockKind } from './sst/table.js';
export { TableIterator } from './sst/table-iterator.js';
export { DataBlockWalker } from './sst/data-blocks.js';
export { pointEntries, pointEntryBatches, rangeTombstones, tableEntries, type RangeTombstone } from './sst/scan.js';
export { verifyTable, type TableCheck } from './sst/verify.js';
export * from './lsm/index.js';
export * from './manifest/index.js';
export { ReadAheadSource, DEFAULT_READ_AHEAD } from './read-ahead.js';
