import type { CheckpointPropertiesView } from './trailer/properties.js';

/**
 * The in-memory model of a Flink `_metadata` file. Plain objects, discriminated by `kind`.
 *
 * Conventions:
 * - every Java `long` is a `bigint`; every Java `int` is a `number`;
 * - byte payloads are `Uint8Array`;
 * - order of every list is the order in the file (Flink iterates hash maps; never sort);
 * - optional fields that are absent in older layouts of the same tag are `undefined` — which
 *   layout is written follows from which fields are present, so `encode(decode(b))` is exact;
 * - fields named `...Raw` keep non-canonical values that Flink's reader accepts but its writer
 *   never produces (e.g. a presence flag of 2); they are absent in normal files.
 */

/** A contiguous range of key groups: `count` groups starting at `start` (`count` 0 = empty). */
export interface KeyGroupRange {
  start: number;
  count: number;
}

// ---------------------------------------------------------------- stream state handles (S)

/** Tag 1: state bytes stored inline in `_metadata`. */
export interface ByteStreamHandle {
  kind: 'byteStream';
  /** Handle name; usually the file path the state would have had, or a UUID. */
  name: string;
  data: Uint8Array;
}

/** Tag 2: a file addressed by an absolute path (a Flink `Path` string, e.g. `s3://b/x`). */
export interface FileHandle {
  kind: 'file';
  path: string;
  size: bigint;
}

/** Tag 6: a file relative to the directory holding `_metadata` (the exclusive directory). */
export interface RelativeFileHandle {
  kind: 'relativeFile';
  relativePath: string;
  size: bigint;
}

/** Tag 15: a segment of a merged physical file (checkpoint file merging, Flink 1.20+). */
export interface SegmentFileHandle {
  kind: 'segmentFile';
  startPos: bigint;
  size: bigint;
  /** CheckpointedStateScope ordinal: 0 EXCLUSIVE, 1 SHARED. */
  scope: number;
  physicalPath: string;
  logicalFileId: string;
}

/** Tag 16: placeholder for an empty segment (file merging). */
export interface EmptySegmentFileHandle {
  kind: 'emptySegmentFile';
}

/** A handle that names a byte stream: inline bytes or (part of) a file. */
export type StreamStateHandle =
  | ByteStreamHandle
  | FileHandle
  | RelativeFileHandle
  | SegmentFileHandle
  | EmptySegmentFileHandle
  | KeyGroupsHandle;

// ---------------------------------------------------------------- keyed state handles (K)

/**
 * Tags 3 / 12: keyed state of a key-group range in one stream, with the offset of each key group.
 * Tag 12 carries `stateHandleId`; tag 3 does not. Tag 3 also appears where a stream handle is
 * expected.
 */
export interface KeyGroupsHandle {
  kind: 'keyGroups';
  keyGroupRange: KeyGroupRange;
  /** One offset per key group of the range. */
  offsets: bigint[];
  delegate: StreamStateHandle;
  stateHandleId?: string;
}

/** Tag 7: keyed state in the canonical savepoint format (same payload as tag 3). */
export interface SavepointKeyGroupsHandle {
  kind: 'savepointKeyGroups';
  keyGroupRange: KeyGroupRange;
  offsets: bigint[];
  delegate: StreamStateHandle;
}

/** One entry of the shared or private files of an incremental snapshot. */
export interface HandleAndLocalPath {
  /** File name in the backend's local directory, e.g. `000042.sst`. */
  localPath: string;
  handle: StreamStateHandle;
}

/**
 * Tags 5 / 11: an incremental (RocksDB / ForSt) snapshot. Tag 11 carries `checkpointedSize` and
 * `stateHandleId`; tag 5 carries neither.
 */
export interface IncrementalKeyedHandle {
  kind: 'incremental';
  checkpointId: bigint;
  /** Backend identifier; a UUID string in practice, kept verbatim. */
  backendId: string;
  keyGroupRange: KeyGroupRange;
  checkpointedSize?: bigint;
  metaStateHandle: StreamStateHandle;
  sharedState: HandleAndLocalPath[];
  privateState: HandleAndLocalPath[];
  stateHandleId?: string;
}

/**
 * Tags 8 / 14: changelog state backend handle (materialized part + changelog increments).
 * Layouts: Flink 1.14 (only range and lists), Flink 1.15 development (adds `checkpointedSize`
 * and `materializationId`), release (adds `stateHandleId`), tag 14 (adds `checkpointId`).
 */
export interface ChangelogHandle {
  kind: 'changelog';
  keyGroupRange: KeyGroupRange;
  checkpointedSize?: bigint;
  /** Materialized keyed handles; `null` where the file holds tag 0 (Flink skips those). */
  materialized: (KeyedStateHandle | null)[];
  nonMaterialized: KeyedStateHandle[];
  materializationId?: bigint;
  checkpointId?: bigint;
  stateHandleId?: string;
}

/** One change of an in-memory changelog handle; keyGroup -1 marks a metadata change. */
export interface StateChange {
  keyGroup: number;
  data: Uint8Array;
}

/** Tag 9: changelog increments held in memory (inline). `stateHandleId` absent before 1.15. */
export interface InMemoryChangelogHandle {
  kind: 'inMemoryChangelog';
  keyGroupRange: KeyGroupRange;
  from: bigint;
  to: bigint;
  changes: StateChange[];
  stateHandleId?: string;
}

/** A changelog file segment: a stream handle and the offset of the increment in it. */
export interface ChangelogFileSegment {
  offset: bigint;
  handle: StreamStateHandle;
}

/**
 * Tags 10 / 13: changelog increments in DFS files. 1.14 ends after `stateSize`; 1.15 adds
 * `checkpointedSize` and `stateHandleId`; tag 13 adds `storageIdentifier`.
 */
export interface ChangelogFileHandle {
  kind: 'changelogFile';
  keyGroupRange: KeyGroupRange;
  segments: ChangelogFileSegment[];
  stateSize: bigint;
  checkpointedSize?: bigint;
  stateHandleId?: string;
  storageIdentifier?: string;
}

export type KeyedStateHandle =
  | KeyGroupsHandle
  | SavepointKeyGroupsHandle
  | IncrementalKeyedHandle
  | ChangelogHandle
  | InMemoryChangelogHandle
  | ChangelogFileHandle;

// ---------------------------------------------------------------- operator state handles (O)

/** How a list of operator state is redistributed on restore. */
export type DistributionMode = 'SPLIT_DISTRIBUTE' | 'UNION' | 'BROADCAST';

/** One named operator state inside an operator state handle, with its partition offsets. */
export interface OperatorStateEntry {
  name: string;
  mode: DistributionMode;
  offsets: bigint[];
}

/** Tag 4: operator state (one stream with named, partitioned states). */
export interface OperatorStreamHandle {
  kind: 'operatorStream';
  states: OperatorStateEntry[];
  delegate: StreamStateHandle;
}

/** Tag 17: operator state in a merged file (file merging, Flink 1.20+). */
export interface FileMergingOperatorStreamHandle {
  kind: 'fileMergingOperatorStream';
  states: OperatorStateEntry[];
  taskOwnedDir: string;
  sharedDir: string;
  /** True for the "empty placeholder" variant. */
  isEmpty: boolean;
  /** The raw byte of `isEmpty` when it was neither 0 nor 1. */
  isEmptyRaw?: number;
  /** A segment file handle (tag 15) or an empty one (tag 16). */
  delegate: StreamStateHandle;
}

export type OperatorStateHandle = OperatorStreamHandle | FileMergingOperatorStreamHandle;

// ---------------------------------------------------------------- channel state

/** Which in-flight buffers of one channel are stored where (V1 channel encoding body). */
export interface ChannelStateBody {
  /** Subtask index; absent in Flink 1.11 / early 1.12 files. */
  subtaskIndex?: number;
  offsets: bigint[];
  stateSize: bigint;
  delegate: StreamStateHandle;
}

/** In-flight input buffers of one input channel (gate, channel). */
export interface InputChannelHandle extends ChannelStateBody {
  kind: 'inputChannel';
  gateIndex: number;
  inputChannelIndex: number;
}

/** In-flight output buffers of one result subpartition (partition, subpartition). */
export interface ResultSubpartitionHandle extends ChannelStateBody {
  kind: 'resultSubpartition';
  partitionIndex: number;
  subpartitionIndex: number;
}

/** One channel inside a merged channel-state handle. */
export interface MergedChannelEntry {
  /** Input: gate index; output: partition index. */
  infoA: number;
  /** Input: input-channel index; output: subpartition index. */
  infoB: number;
  stateSize: bigint;
  offsets: bigint[];
}

/** V6 channel encoding types 3 / 4: several channels of one subtask in one delegate. */
export interface MergedChannelsBody {
  subtaskIndex: number;
  stateSize: bigint;
  delegate: StreamStateHandle;
  channels: MergedChannelEntry[];
}

export interface MergedInputChannelsHandle extends MergedChannelsBody {
  kind: 'mergedInputChannels';
}

export interface MergedResultSubpartitionsHandle extends MergedChannelsBody {
  kind: 'mergedResultSubpartitions';
}

export type InputChannelStateHandle = InputChannelHandle | MergedInputChannelsHandle;
export type ResultSubpartitionStateHandle = ResultSubpartitionHandle | MergedResultSubpartitionsHandle;

// ---------------------------------------------------------------- subtasks and operators

/** Fields only version 1 and 2 files have. */
export interface LegacySubtaskFields {
  /** Snapshot duration; Flink wrote -1. */
  duration: bigint;
  /** Pre-1.2 "Checkpointed" operator state (non-empty only in Flink 1.2/1.3 era files). */
  legacyOperatorState: (StreamStateHandle | null)[];
}

/** Version 1 only: one operator-state handle per operator of the chain (`null` = none). */
export interface OperatorStateChain {
  managed: (OperatorStateHandle | null)[];
  raw: (OperatorStateHandle | null)[];
}

/** The state of one subtask of an operator. */
export interface SubtaskState {
  index: number;
  /** Subtask finished before the checkpoint (V3+; nothing else is stored for it). */
  finished?: true;
  managedOperatorState: OperatorStateHandle | null;
  rawOperatorState: OperatorStateHandle | null;
  managedKeyedState: KeyedStateHandle | null;
  rawKeyedState: KeyedStateHandle | null;
  inputChannelState: InputChannelStateHandle[];
  resultSubpartitionState: ResultSubpartitionStateHandle[];
  /** V1 / V2 only. */
  legacy?: LegacySubtaskFields;
  /** V1 only; the operator-state slots above are `null` for V1 files. */
  chain?: OperatorStateChain;
  /** Raw presence flags of the two operator-state slots when not 0/1 (V2+). */
  operatorStateFlagsRaw?: [number, number];
  /** V7: id of the checkpoint this subtask's state was taken in, if it was reused. */
  refCheckpointId?: bigint;
  /** V7: the marker byte when it was neither 0 nor 1. */
  refMarkerRaw?: number;
}

/** The state of one operator (V1: of one task / chain). */
export interface OperatorState {
  /** 32 lowercase hex digits, as Flink prints operator ids. */
  operatorId: string;
  /** V5+: operator name; `undefined` when stored as "" (not set). */
  name?: string;
  /** V5+: user-defined uid; `undefined` when stored as "" (not set). */
  uid?: string;
  parallelism: number;
  maxParallelism: number;
  /** V1 / V2: the chain length field (V2 always wrote 1). */
  chainLength?: number;
  /** V3+: operator coordinator state (inline byte-stream handle), or null. */
  coordinatorState: StreamStateHandle | null;
  /** V3+: operator finished on all subtasks; the raw negative count (Flink writes -1). */
  finishedMarker?: number;
  subtasks: SubtaskState[];
}

/** State of a master hook (V2+), opaque to Flink's metadata layer. */
export interface MasterState {
  name: string;
  version: number;
  payload: Uint8Array;
}

/** The Java-serialized CheckpointProperties trailer (V4+), see `trailer/`. */
export interface PropertiesTrailer {
  /** The bytes from the end of the body to the end of the file, re-emitted verbatim. */
  raw: Uint8Array;
  /**
   * What `raw` says (checkpoint or savepoint, format, retention flags); `null` for a Java null.
   * Derived from `raw`: to change the properties, write new `raw` with `writeCheckpointProperties`.
   */
  view: CheckpointPropertiesView | null;
}

/** Size and SHA-256 of the decoded input (set by the decoder, ignored by the encoder). */
export interface InputInfo {
  byteLength: number;
  /** Lowercase hex; absent where no synchronous SHA-256 exists (see `decodeMetadataAsync`). */
  sha256?: string;
  /** File name or URI, when the caller passed it. */
  file?: string;
}

/** A decoded `_metadata` file. */
export interface CheckpointMetadata {
  /** Format version: 1..7. */
  version: number;
  checkpointId: bigint;
  /** V2+. */
  masterStates: MasterState[];
  operators: OperatorState[];
  /** V4+. */
  properties?: PropertiesTrailer;
  /** Where the model came from (set by the decoder; not part of the encoding). */
  input?: InputInfo;
}
