/**
 * The `completedCheckpoint<hex>` file in the HA storage directory: Java serialization of Flink's
 * `CompletedCheckpoint`. Read with the allow-listed stream reader; extracts the job, id,
 * timestamps, properties, the external pointer, the `_metadata` handle and every file the stored
 * state handles reference.
 */
import { checkpointPropertiesView, FormatError, type CheckpointPropertiesView, type JavaContent, type JavaFieldValue, type JavaObject } from '@ckpt/format';
import { HaError } from './errors.js';
import { FILE_STATE_HANDLE, RELATIVE_FILE_STATE_HANDLE, fileStateHandle, pathUri } from './handle.js';
import { expectObject, field, longField, readHaPayload, stringField } from './java.js';

const COMPLETED_CHECKPOINT = 'org.apache.flink.runtime.checkpoint.CompletedCheckpoint';
const JOB_ID = 'org.apache.flink.api.common.JobID';
const FS_LOCATION = 'org.apache.flink.runtime.state.filesystem.FsCompletedCheckpointStorageLocation';
const SEGMENT_FILE_STATE_HANDLE = 'org.apache.flink.runtime.state.filemerging.SegmentFileStateHandle';

/** What the stored `CompletedCheckpoint` says. */
export interface StoredCompletedCheckpoint {
  /** Job id, 32 lowercase hex digits. */
  jobId: string;
  checkpointId: number;
  /** Trigger time (ms since the epoch). */
  timestamp: number;
  completionTimestamp: number;
  /** Where `_metadata` lives (`chk-<n>` directory), or null for checkpoints without one. */
  externalPointer: string | null;
  properties: CheckpointPropertiesView | null;
  /** Properties of the snapshot this checkpoint was restored from, if it is one (Flink ≥ 1.15). */
  restoredProperties: CheckpointPropertiesView | null;
  /** URI of the `_metadata` file (from the metadata handle), if it is a file. */
  metadataFile: string | null;
  /** The checkpoint's exclusive directory, for filesystem checkpoint storage. */
  exclusiveDir: string | null;
  /** Operators with state in the checkpoint. */
  operatorCount: number;
  /**
   * Every file the stored state handles reference (absolute URIs as Flink recorded them; relative
   * handles carry their absolute path too), sorted, without duplicates, `_metadata` included.
   */
  files: string[];
}

/**
 * Decodes a `completedCheckpoint<hex>` file.
 * @param file its URI, for errors
 * @throws HaError
 */
export function readCompletedCheckpoint(bytes: Uint8Array, file: string): StoredCompletedCheckpoint {
  const root = readHaPayload(bytes, file);
  const cp = expectObject(root, COMPLETED_CHECKPOINT, file, '');
  const job = expectObject(field(cp, 'job', file, ''), JOB_ID, file, 'job');
  // AbstractID's hex form is the lower part's bytes, then the upper part's
  const jobId = hex64(field(job, 'lowerPart', file, 'job')) + hex64(field(job, 'upperPart', file, 'job'));
  const props = (name: string): CheckpointPropertiesView | null => {
    const v = field(cp, name, file, '');
    try {
      return checkpointPropertiesView(asContent(v, file, name), []);
    } catch (e) {
      if (e instanceof FormatError) throw new HaError('UnexpectedClass', `${name}: ${e.detail}`, { file, path: name, cause: e });
      throw e;
    }
  };
  const metadata = field(cp, 'metadataHandle', file, '');
  const location = field(cp, 'storageLocation', file, '');
  let exclusiveDir: string | null = null;
  if (typeof location === 'object' && location !== null && location.kind === 'object' && location.classDesc.name === FS_LOCATION) {
    exclusiveDir = pathUri(field(location, 'exclusiveCheckpointDir', file, 'storageLocation'), file, 'storageLocation.exclusiveCheckpointDir');
  }
  const operators = field(cp, 'operatorStates', file, '');
  const operatorCount = typeof operators === 'object' && operators !== null && operators.kind === 'object' ? mapSize(operators) : 0;
  return {
    jobId,
    checkpointId: longField(cp, 'checkpointID', file, ''),
    timestamp: longField(cp, 'timestamp', file, ''),
    completionTimestamp: longField(cp, 'completionTimestamp', file, ''),
    externalPointer: stringField(cp, 'externalPointer', file, ''),
    properties: props('props'),
    restoredProperties: cp.classDesc.fields.some((f) => f.name === 'restoredProps') ? props('restoredProps') : null,
    metadataFile: isClass(metadata, FILE_STATE_HANDLE) ? fileStateHandle(metadata, file, 'metadataHandle').file : null,
    exclusiveDir,
    operatorCount,
    files: referencedFiles(root, file),
  };
}

function asContent(v: JavaFieldValue, file: string, path: string): JavaContent {
  if (typeof v === 'object') return v;
  throw new HaError('UnexpectedClass', `${path} is a primitive`, { file, path });
}

function isClass(v: JavaFieldValue | undefined, name: string): v is JavaObject {
  return typeof v === 'object' && v !== null && v.kind === 'object' && v.classDesc.name === name;
}

function hex64(v: JavaFieldValue): string {
  if (typeof v !== 'bigint') throw new HaError('UnexpectedClass', 'JobID part is not a long');
  return BigInt.asUintN(64, v).toString(16).padStart(16, '0');
}

/** `HashMap` writes its size as the second int of its block data (after the capacity). */
function mapSize(map: JavaObject): number {
  const block = map.classData.at(-1)?.annotation?.[0];
  if (!(block instanceof Uint8Array) || block.length < 8) return 0;
  return new DataView(block.buffer, block.byteOffset, block.length).getInt32(4);
}

/**
 * Every `FileStateHandle` / `RelativeFileStateHandle` / `SegmentFileStateHandle` in the graph.
 * Iterative (the reader already bounded the depth; this walk must not recurse per object).
 */
function referencedFiles(root: JavaContent, file: string): string[] {
  const out = new Set<string>();
  const seen = new Set<object>();
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array || seen.has(v)) continue;
    seen.add(v);
    const c = v as JavaContent & object;
    if (c.kind === 'array') {
      if (!(c.elements instanceof Uint8Array)) for (const e of c.elements) stack.push(e);
      continue;
    }
    if (c.kind !== 'object') continue;
    const name = c.classDesc.name;
    if (name === FILE_STATE_HANDLE || name === RELATIVE_FILE_STATE_HANDLE || name === SEGMENT_FILE_STATE_HANDLE) {
      out.add(pathUri(field(c, 'filePath', file, name), file, `${name}.filePath`));
      continue;
    }
    for (const cd of c.classData) {
      for (const x of cd.values) stack.push(x);
      for (const x of cd.annotation ?? []) stack.push(x);
    }
  }
  return [...out].sort();
}
