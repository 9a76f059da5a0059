/**
 * The payloads of HA store entries: a `RetrievableStreamStateHandle` wrapping the
 * `FileStateHandle` of a `completedCheckpoint<hex>` file in the HA storage directory (ZooKeeper
 * znode data), or the same wrapped in Kubernetes' `StateHandleWithDeleteMarker` (ConfigMap value).
 */
import { javaFieldOrder, SC_SERIALIZABLE, SC_WRITE_METHOD, writeJavaStream, type JavaClassDesc, type JavaFieldDesc, type JavaFieldValue, type JavaObject } from '@ckpt/format';
import { HaError } from './errors.js';
import { expectObject, field, longField, readHaPayload } from './java.js';

const STATE = 'org.apache.flink.runtime.state.';
const RETRIEVABLE_STREAM_STATE_HANDLE = `${STATE}RetrievableStreamStateHandle`;
export const FILE_STATE_HANDLE = `${STATE}filesystem.FileStateHandle`;
export const RELATIVE_FILE_STATE_HANDLE = `${STATE}filesystem.RelativeFileStateHandle`;
const STATE_HANDLE_WITH_DELETE_MARKER =
  'org.apache.flink.kubernetes.highavailability.KubernetesStateHandleStore$StateHandleWithDeleteMarker';
const FLINK_PATH = 'org.apache.flink.core.fs.Path';
const JAVA_URI = 'java.net.URI';

/** Where an HA entry points: the stored `CompletedCheckpoint` file and its size. */
export interface StoredHandle {
  /** URI of the `completedCheckpoint<hex>` file, as Flink wrote it (e.g. `file:/ha/cluster/completedCheckpoint…`). */
  file: string;
  /** The file's size in bytes as recorded by Flink. */
  size: number;
}

/** A Kubernetes ConfigMap value: the handle and the delete marker. */
export interface MarkedHandle extends StoredHandle {
  markedForDeletion: boolean;
}

/** The URI string inside a Flink `Path` (its `uri` field, a `java.net.URI`). */
export function pathUri(v: JavaFieldValue, file: string, path: string): string {
  const p = expectObject(v, FLINK_PATH, file, path);
  const uri = expectObject(field(p, 'uri', file, path), JAVA_URI, file, `${path}.uri`);
  const s = field(uri, 'string', file, `${path}.uri`);
  if (typeof s !== 'string') throw new HaError('BadPayload', 'java.net.URI without its string form', { file, path });
  return s;
}

/** `FileStateHandle(filePath, stateSize)` as a {@link StoredHandle}. */
export function fileStateHandle(v: JavaFieldValue, file: string, path: string): StoredHandle {
  const h = expectObject(v, FILE_STATE_HANDLE, file, path);
  return { file: pathUri(field(h, 'filePath', file, path), file, `${path}.filePath`), size: longField(h, 'stateSize', file, path) };
}

function retrievable(v: JavaFieldValue, file: string, path: string): StoredHandle {
  const h: JavaObject = expectObject(v, RETRIEVABLE_STREAM_STATE_HANDLE, file, path);
  return fileStateHandle(field(h, 'wrappedStreamStateHandle', file, path), file, `${path}.wrappedStreamStateHandle`);
}

/**
 * Decodes a ZooKeeper checkpoint znode's data.
 * @param source the znode path, for errors
 * @throws HaError
 */
export function readZooKeeperHandle(bytes: Uint8Array, source: string): StoredHandle {
  return retrievable(readHaPayload(bytes, source), source, '');
}

/**
 * Decodes a Kubernetes ConfigMap value (Base64 text) of a `checkpointID-…` key.
 * @param source the ConfigMap key, for errors
 * @throws HaError
 */
export function readKubernetesHandle(base64: string, source: string): MarkedHandle {
  const text = base64.trim();
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new HaError('BadPayload', 'ConfigMap value is not Base64', { file: source });
  }
  const root = readHaPayload(Buffer.from(text, 'base64'), source);
  const m = expectObject(root, STATE_HANDLE_WITH_DELETE_MARKER, source, '');
  const marked = field(m, 'markedForDeletion', source, '');
  if (typeof marked !== 'boolean') throw new HaError('UnexpectedClass', 'markedForDeletion is not a boolean', { file: source });
  return { ...retrievable(field(m, 'inner', source, ''), source, 'inner'), markedForDeletion: marked };
}

// ------------------------------------------------------------------------------------ writing
// The class descriptors of the handle graph as Flink's classes declare them (serialVersionUIDs
// and serializable fields); the same in the 1.20, 2.0 and 2.3 lines.

const ref = (name: string, cls: string): JavaFieldDesc => ({ code: 'L', name, signature: `L${cls.replace(/\./g, '/')};` });
const classDesc = (name: string, suid: bigint, fields: JavaFieldDesc[], flags = SC_SERIALIZABLE): JavaClassDesc => ({
  kind: 'classDesc',
  name,
  suid,
  flags,
  fields: javaFieldOrder(fields),
  superClass: null,
});
const object = (desc: JavaClassDesc, values: Record<string, JavaFieldValue>): JavaObject => ({
  kind: 'object',
  classDesc: desc,
  classData: [{ classDesc: desc, values: desc.fields.map((f) => values[f.name] ?? null) }],
});

/** Fresh descriptors per stream (the writer shares a descriptor by identity within one stream). */
function handleObject(h: StoredHandle): JavaObject {
  if (!Number.isSafeInteger(h.size) || h.size < 0) throw new HaError('BadPayload', `HA file size ${h.size} is not a size`, { file: h.file });
  const uri = object(classDesc(JAVA_URI, -0x53fe87d1bc61b655n, [ref('string', 'java.lang.String')], SC_SERIALIZABLE | SC_WRITE_METHOD), { string: h.file });
  const path = object(classDesc(FLINK_PATH, 1n, [ref('uri', JAVA_URI)]), { uri });
  const file = object(
    classDesc(FILE_STATE_HANDLE, 0x04dc75d862bd1bb3n, [{ code: 'J', name: 'stateSize' }, ref('filePath', FLINK_PATH)]),
    { stateSize: BigInt(h.size), filePath: path },
  );
  return object(
    classDesc(RETRIEVABLE_STREAM_STATE_HANDLE, 0x00011e18f155972bn, [ref('wrappedStreamStateHandle', `${STATE}StreamStateHandle`)]),
    { wrappedStreamStateHandle: file },
  );
}

/**
 * Encodes a ZooKeeper checkpoint znode's data as Flink writes it: `RetrievableStreamStateHandle`
 * around the `FileStateHandle(path, size)` of the `completedCheckpoint` file (the inverse of
 * {@link readZooKeeperHandle}).
 */
export function writeZooKeeperHandle(h: StoredHandle): Uint8Array {
  return writeJavaStream(handleObject(h));
}

/**
 * Encodes a Kubernetes ConfigMap value (Base64 text): the handle in a
 * `StateHandleWithDeleteMarker` (the inverse of {@link readKubernetesHandle}).
 */
export function writeKubernetesHandle(h: MarkedHandle): string {
  const marker = classDesc(STATE_HANDLE_WITH_DELETE_MARKER, 0x1bad4480ef860d7cn, [
    { code: 'Z', name: 'markedForDeletion' },
    ref('inner', `${STATE}RetrievableStateHandle`),
  ]);
  const bytes = writeJavaStream(object(marker, { markedForDeletion: h.markedForDeletion, inner: handleObject(h) }));
  return Buffer.from(bytes).toString('base64');
}
