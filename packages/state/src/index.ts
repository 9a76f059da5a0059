export { StateError, type StateErrorCode } from './errors.js';
export { MemorySource, SliceSource, CountingSource, readAll, readExactly, type ByteSource } from './io/source.js';
export { HandleResolver, type HandleResolverOptions, type SourceOpener } from './io/resolve.js';
export { BlobSource, blobOpener, type BlobLike, type FileLike } from './io/blob-source.js';
export {
  SnappyFraming,
  STREAM_IDENTIFIER,
  MAX_CHUNK,
  MIN_COMPRESSION_RATIO,
  type SnappyFramingOptions,
  type DecodeFramedOptions,
  type SnappyChunk,
} from './snappy/framing.js';
export {
  hysnappyCodec,
  snappyjsCodec,
  defaultBlockCodec,
  blockUncompressedLength,
  type BlockCodec,
} from './snappy/block.js';
export {
  readSnapshotEnvelope,
  readVersionedSnapshot,
  describeSnapshot,
  CLS as SNAPSHOT_CLASSES,
  type SerializerSnapshot,
  type SnapshotConfig,
} from './serializers/snapshot.js';
export { codecFor, opaqueCodec, encodeValue, type ValueCodec } from './serializers/codecs.js';
export { readStringValue, writeStringValue } from './serializers/data.js';
export * from './serializers/values.js';
export type { JavaSerializedValue } from './serializers/java-value.js';
export { readBinaryRow, readBinaryArray, readBinaryMap, ROW_KIND_KEY } from './serializers/binary-row.js';
export { encodeBinaryRow, encodeBinaryArray, encodeBinaryMap } from './serializers/binary-row-writer.js';
export { describeLogicalType, type LogicalType } from './serializers/table-types.js';
export {
  option,
  serializer,
  KEY_SERIALIZER,
  VALUE_SERIALIZER,
  NAMESPACE_SERIALIZER,
  OPTION_KEYED_STATE_TYPE,
  type StateMetaInfo,
  type BackendStateType,
} from './meta/meta-info.js';
export {
  readOperatorStateHeader,
  readKeyedStateHeader,
  type OperatorStateHeader,
  writeKeyedStateHeader,
  type KeyedStateHeader,
  type KeyedHeaderBytes,
} from './meta/proxy.js';
export {
  OperatorStateFile,
  type OperatorStateEntry,
  type OperatorStateInfo,
  type OpenOperatorStateOptions,
} from './operator/operator-state.js';
export { KeyedStateFile, type KeyedFormat, type OpenKeyedStateOptions } from './keyed/keyed-state.js';
export { readRawKeyedTimers } from './keyed/raw-timers.js';
export type { KeyedStateEntry, KeyedStateKind } from './keyed/entry.js';
export { readNativeSnapshot, nativeFiles, type NativeSnapshot, type NativeFile, type NativeFileKind } from './rocksdb/native.js';
export {
  readRawKeyGroup,
  writeRawKeyGroup,
  writeCanonicalKeyedState,
  streamCanonicalKeyedState,
  keyGroupPrefixBytes,
  META_DATA_FOLLOWS,
  END_OF_KEY_GROUP,
  type RawKeyedEntry,
  type RawKeyGroupContext,
  type CanonicalFileInput,
  type CanonicalFileOutput,
  type CanonicalStreamInput,
  type CanonicalStream,
  type KeyGroupEntries,
} from './keyed/canonical-stream.js';
export { javaKeyOf, keyGroupOfKey, keyHasher, type JavaKeyOf, type KeyHasher } from './rekey/java-key.js';
export { parseShard, ownedSubtasks, shardOfSubtask, sourceKeyGroupSpans, type ShardSpec } from './rekey/shards.js';
export { binaryRowHash } from './rekey/row-data-hash.js';
export { RunBuffer, RunReader, mergeRuns, groupByKeyGroup, type SortedPair } from './rekey/sorted-runs.js';
export { moveEntries, mergeKeyedHeaders, type RawKeyedSource, type MergedHeader, type MovedEntries, type RekeyedSubtask } from './rekey/move-entries.js';
export { streamEntries, type StreamedEntries, type StreamedSubtask } from './rekey/stream-entries.js';
export { RocksDbKeyedState, type OpenRocksDbStateOptions, type KeyGroupSpan } from './rocksdb/keyed.js';
export { checkedSize, readSnapshotManifest, liveFileProblems, type SnapshotManifest } from './rocksdb/snapshot-files.js';
export { verifyStateFiles, type StateFileProblem, type StateFilesReport, type VerifyStateFilesOptions } from './verify/state-files.js';
export { operatorEntries, operatorEntryBatches, type OperatorEntriesOptions, type OperatorEntryItem, type KeyGroupBounds } from './dump/operator-entries.js';
export { stateJsonLine } from './dump/json-line.js';
export { summarizeOperatorState, type StateSummary, type SerializerName } from './dump/state-summary.js';
export { ChangelogKeyedState, type OpenChangelogOptions } from './changelog/replay.js';
export { readChangeSet, changeStream, handleChanges, COMMON_KEY_GROUP, type LoggedChange } from './changelog/changes.js';
export { basicSerializerSnapshot } from './serializers/snapshot.js';
