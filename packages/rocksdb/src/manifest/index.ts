export { LogReader, readLogRecords, LogRecordType, LOG_BLOCK_SIZE, LOG_HEADER_SIZE, RECYCLABLE_HEADER_SIZE, type LogReaderOptions, type LogRecord } from './log-reader.js';
export { NewFileTag, type FileMetaData, type ParsedInternalKey } from './file-meta.js';
export { decodeVersionEdit, EditTag, type VersionEdit, type BlobFileAddition, type BlobFileGarbage, type WalAddition } from './version-edit.js';
export { readManifest, sstFileName, VersionSetBuilder, type Manifest, type ColumnFamily, type LiveFile, type ReadManifestOptions } from './version-set.js';
export { readCurrent, manifestNumber } from './current.js';
export { parseOptionsFile, type OptionsFile, type OptionsSection } from './options-file.js';
