export * from './model.js';
export { CkptError, FormatError, UsageError, type ErrorContext, type FormatErrorCode, type UsageErrorCode } from './errors.js';
export { ByteReader } from './binary/reader.js';
export { ByteWriter } from './binary/writer.js';
export {
  decodeMetadata,
  encodeMetadata,
  METADATA_MAGIC,
  type DecodeOptions,
} from './metadata.js';
export { DEFAULT_DIALECT, Tag, type Dialect } from './handles/tags.js';
export { DISTRIBUTION_MODES } from './handles/operator.js';
export { decodeMetadataAsync } from './metadata.js';
export { toJson, toJsonString, fromJson, jsonSyntaxOffset, encodeValue, bytesToBase64, base64ToBytes, type JsonValue } from './json.js';
export { operatorIdFromUid } from './uid.js';
export { findOperator, requireOperator } from './operator-lookup.js';
export { sha256, sha256Sync, crc32c, xxhash64 } from './digest.js';
export { Crc32c, maskCrc } from './crc32c.js';
export { MemorySource, checkRange, type ByteSource } from './byte-source.js';
export {
  streamStateSize,
  keyedStateSize,
  operatorStateSize,
  channelStateSize,
  subtaskStateSizes,
  hasState,
  type SubtaskStateSizes,
} from './sizes.js';
export {
  readCheckpointProperties,
  checkpointPropertiesView,
  writeCheckpointProperties,
  templateFrom,
  DEFAULT_TEMPLATE,
  TEMPLATES_BY_RELEASE,
  type CheckpointPropertiesView,
  type SnapshotTypeView,
  type TrailerTemplate,
  readJavaStream,
  readJavaStreamPrefix,
  writeJavaStream,
  type JavaStringObject,
  type JavaWriteContent,
  type JavaWriteObject,
  type JavaWriteEnum,
  type JavaWriteArray,
  type JavaWriteValue,
  type JavaWriteAnnotation,
  type JavaWriteOptions,
  javaFieldOrder,
  SC_SERIALIZABLE,
  SC_WRITE_METHOD,
  type JavaFieldDesc,
  getField,
  TC,
  MAX_DEPTH_LIMIT,
  type JavaStream,
  type JavaStreamOptions,
  type JavaContent,
  type JavaObject,
  type JavaEnum,
  type JavaArray,
  type JavaClassRef,
  type JavaClassDesc,
  type JavaClassData,
  type JavaFieldValue,
  type JavaAnnotationItem,
} from './trailer/index.js';
export { concatBytes, collectBytes } from './bytes.js';
export { mapStreamHandles, forEachStreamHandle, type StreamHandleMapper, type StreamHandleVisitor } from './visit.js';
export { keyGroupByteRanges, type KeyGroupOffsets, type KeyGroupBytes } from './key-group-bytes.js';
export {
  summarizeMetadata,
  SummaryBuilder,
  type MetadataSummary,
  type OperatorSummary,
  type HandleCounts,
} from './summary.js';
export { summarizeMetadataStream, type SummaryStreamOptions } from './summary-stream.js';
export {
  summaryReport,
  summaryReportOf,
  snapshotTypeLabel,
  type MetadataSummaryReport,
  type OperatorSummaryReport,
  type SummaryInput,
} from './summary-report.js';
export { mapLimit } from './map-limit.js';
export { humanBytes } from './human-bytes.js';
export { diffCheckpoints, diffChanged, type CheckpointDiff, type OperatorChange, type DiffSide } from './diff.js';
