/**
 * The bounded, typed reading of the Java-serialized payloads of Flink's HA stores, on top of
 * `@ckpt/format`'s grammar-level stream reader: only classes of {@link HA_CLASSES} are accepted
 * (anything else is `ClassNotAllowed` before any of its data is read), nothing is instantiated,
 * nesting is bounded, and every allocation is bounded by the input length.
 */
import { FormatError, getField, readJavaStream, type JavaContent, type JavaFieldValue, type JavaObject } from '@ckpt/format';
import { HaError } from './errors.js';

const RT = 'org.apache.flink.runtime.';
/**
 * Every class that occurs in the HA payloads and in the stored `CompletedCheckpoint` graph
 * (state handles of the heap, RocksDB, ForSt and changelog backends, file merging,
 * unaligned-checkpoint channel state, master hook states, and the JDK collections they use).
 * The Flink names were checked against the class files of the 1.20.3 and 2.3.0 jars; the ones
 * seen in real files are those of the fixtures (heap and incremental RocksDB).
 */
export const HA_CLASSES: ReadonlySet<string> = new Set([
  // HA store entries
  `${RT}state.RetrievableStreamStateHandle`,
  'org.apache.flink.kubernetes.highavailability.KubernetesStateHandleStore$StateHandleWithDeleteMarker',
  // CompletedCheckpoint and what it holds
  `${RT}checkpoint.CompletedCheckpoint`,
  `${RT}checkpoint.CheckpointProperties`,
  `${RT}checkpoint.CheckpointType`,
  `${RT}checkpoint.SavepointType`,
  `${RT}checkpoint.SavepointType$PostCheckpointAction`,
  `${RT}checkpoint.SnapshotType$SharingFilesStrategy`,
  'org.apache.flink.core.execution.SavepointFormatType',
  `${RT}checkpoint.OperatorState`,
  `${RT}checkpoint.OperatorSubtaskState`,
  `${RT}checkpoint.FullyFinishedOperatorState`,
  `${RT}checkpoint.FinishedOperatorSubtaskState`,
  `${RT}checkpoint.StateObjectCollection`,
  `${RT}checkpoint.MasterState`,
  `${RT}checkpoint.InflightDataRescalingDescriptor`,
  `${RT}checkpoint.InflightDataRescalingDescriptor$NoRescalingDescriptor`,
  `${RT}checkpoint.InflightDataRescalingDescriptor$InflightDataGateOrPartitionRescalingDescriptor`,
  `${RT}checkpoint.InflightDataRescalingDescriptor$InflightDataGateOrPartitionRescalingDescriptor$MappingType`,
  `[L${RT}checkpoint.InflightDataRescalingDescriptor$InflightDataGateOrPartitionRescalingDescriptor;`,
  `${RT}checkpoint.RescaleMappings`,
  `${RT}checkpoint.channel.InputChannelInfo`,
  `${RT}checkpoint.channel.ResultSubpartitionInfo`,
  `${RT}state.filesystem.FsCompletedCheckpointStorageLocation`,
  `${RT}jobgraph.OperatorID`,
  'org.apache.flink.api.common.JobID',
  'org.apache.flink.util.AbstractID',
  'org.apache.flink.util.StringBasedID',
  'org.apache.flink.core.fs.Path',
  // state handles
  `${RT}state.StateHandleID`,
  `${RT}state.PhysicalStateHandleID`,
  `${RT}state.filesystem.FileStateHandle`,
  `${RT}state.filesystem.RelativeFileStateHandle`,
  `${RT}state.filemerging.FileMergingOperatorStreamStateHandle`,
  `${RT}state.filemerging.EmptyFileMergingOperatorStreamStateHandle`,
  `${RT}state.filemerging.SegmentFileStateHandle`,
  `${RT}state.filemerging.EmptySegmentFileStateHandle`,
  `${RT}state.filemerging.DirectoryStreamStateHandle`,
  `${RT}state.memory.ByteStreamStateHandle`,
  `${RT}state.PlaceholderStreamStateHandle`,
  `${RT}state.KeyGroupRange`,
  `${RT}state.KeyGroupRangeOffsets`,
  `${RT}state.KeyGroupsStateHandle`,
  `${RT}state.KeyGroupsSavepointStateHandle`,
  `${RT}state.AbstractIncrementalStateHandle`,
  `${RT}state.IncrementalRemoteKeyedStateHandle`,
  `${RT}state.IncrementalKeyedStateHandle$HandleAndLocalPath`,
  `${RT}state.OperatorStreamStateHandle`,
  `${RT}state.OperatorStateHandle$StateMetaInfo`,
  `${RT}state.OperatorStateHandle$Mode`,
  `${RT}state.InputChannelStateHandle`,
  `${RT}state.ResultSubpartitionStateHandle`,
  `${RT}state.MergedInputChannelStateHandle`,
  `${RT}state.MergedResultSubpartitionStateHandle`,
  `${RT}state.AbstractChannelStateHandle`,
  `${RT}state.AbstractChannelStateHandle$StateContentMetaInfo`,
  `${RT}state.AbstractMergedChannelStateHandle`,
  `${RT}state.changelog.ChangelogStateBackendHandle$ChangelogStateBackendHandleImpl`,
  `${RT}state.changelog.ChangelogStateBackendHandle$ChangelogStateBackendHandleImpl$StreamStateHandleWrapper`,
  `${RT}state.changelog.ChangelogStateHandleStreamImpl`,
  `${RT}state.changelog.inmemory.InMemoryChangelogStateHandle`,
  `${RT}state.changelog.SequenceNumber$GenericSequenceNumber`,
  `${RT}state.changelog.StateChange`,
  `${RT}state.SnapshotResult`,
  'org.apache.flink.api.java.tuple.Tuple2',
  'org.apache.flink.api.java.tuple.Tuple',
  // JDK
  'java.lang.Enum',
  'java.lang.Number',
  'java.lang.Integer',
  'java.lang.Long',
  'java.lang.Boolean',
  'java.net.URI',
  'java.util.UUID',
  'java.util.HashMap',
  'java.util.LinkedHashMap',
  'java.util.TreeMap',
  'java.util.HashSet',
  'java.util.LinkedHashSet',
  'java.util.ArrayList',
  'java.util.Arrays$ArrayList',
  'java.util.Collections$EmptyList',
  'java.util.Collections$EmptyMap',
  'java.util.Collections$EmptySet',
  'java.util.Collections$SingletonList',
  'java.util.Collections$SingletonSet',
  'java.util.Collections$SingletonMap',
  'java.util.Collections$UnmodifiableCollection',
  'java.util.Collections$UnmodifiableList',
  'java.util.Collections$UnmodifiableRandomAccessList',
  'java.util.Collections$UnmodifiableMap',
  'java.util.Collections$UnmodifiableSet',
  '[B',
  '[I',
  '[J',
  '[Ljava.lang.Object;',
  '[Ljava.lang.String;',
]);

/** Deep enough for the `CompletedCheckpoint` graph (about 30 levels for channel state). */
export const HA_MAX_DEPTH = 64;

/**
 * Reads one Java-serialized HA payload.
 * @param file where the bytes came from (znode path, ConfigMap key, HA file URI), for errors
 * @throws HaError `Truncated`, `BadPayload` or `ClassNotAllowed`; nothing else
 */
export function readHaPayload(bytes: Uint8Array, file: string): JavaContent {
  try {
    return readJavaStream(bytes, 0, '', {
      annotations: true,
      arrays: true,
      maxDepth: HA_MAX_DEPTH,
      allowClass: (name) => HA_CLASSES.has(name),
    }).root;
  } catch (e) {
    if (e instanceof FormatError) {
      const code = e.code === 'Truncated' ? 'Truncated' : e.code === 'ClassNotAllowed' ? 'ClassNotAllowed' : 'BadPayload';
      throw new HaError(code, e.detail, { offset: e.offset, path: e.path, file, cause: e });
    }
    throw new HaError('BadPayload', `unexpected error: ${String(e)}`, { file, cause: e });
  }
}

/** The object at `v` if it is an instance (exact class) of `className`, else a typed error. */
export function expectObject(v: JavaFieldValue | undefined, className: string, file: string, path: string): JavaObject {
  if (typeof v !== 'object' || v === null || v.kind !== 'object' || v.classDesc.name !== className) {
    const got = describe(v);
    throw new HaError('UnexpectedClass', `expected ${className}, found ${got}`, { file, path });
  }
  return v;
}

/** A field of an object (most-derived class first), or a typed error when the class lacks it. */
export function field(obj: JavaObject, name: string, file: string, path: string): JavaFieldValue {
  const f = getField(obj, name);
  if (f === undefined) {
    throw new HaError('UnexpectedClass', `${obj.classDesc.name} has no field ${name}`, { file, path });
  }
  return f.value;
}

/** A `long` field as a JS number when it is a safe integer, else a typed error. */
export function longField(obj: JavaObject, name: string, file: string, path: string): number {
  const v = field(obj, name, file, path);
  if (typeof v !== 'bigint') throw new HaError('UnexpectedClass', `${obj.classDesc.name}.${name} is not a long`, { file, path });
  if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new HaError('BadPayload', `${obj.classDesc.name}.${name} = ${v} is out of range`, { file, path });
  }
  return Number(v);
}

/** A `String` field (null allowed), else a typed error. */
export function stringField(obj: JavaObject, name: string, file: string, path: string): string | null {
  const v = field(obj, name, file, path);
  if (v !== null && typeof v !== 'string') {
    throw new HaError('UnexpectedClass', `${obj.classDesc.name}.${name} is not a String`, { file, path });
  }
  return v;
}

export function describe(v: JavaFieldValue | undefined): string {
  if (v === undefined || v === null) return 'null';
  if (typeof v === 'string') return 'a String';
  if (typeof v !== 'object') return `a ${typeof v}`;
  return v.kind === 'enum' ? `enum ${v.className}` : v.classDesc.name;
}
