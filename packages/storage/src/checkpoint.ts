import { decodeMetadata, type CheckpointMetadata } from '@ckpt/format';
import { StorageError, toStorageError } from './errors.js';
import { Storages } from './open.js';
import type { ProgressListener, StorageOptions } from './types.js';
import { baseName, formatUri, joinUri, parentUri, parseUri, removeEntropyKey } from './uri.js';

export const METADATA_FILE_NAME = '_metadata';

export interface CheckpointAccessOptions extends StorageOptions {
  /** Share one storage cache across calls (else a private one is opened and closed). */
  storages?: Storages;
  signal?: AbortSignal;
  /** Called after each step of a long operation (verify, copyTree, gc); never on its own for errors. */
  onProgress?: ProgressListener;
}

export interface ResolvedCheckpoint {
  /** The pointer as given. */
  pointer: string;
  /** The checkpoint / savepoint directory (Flink's external pointer / exclusive dir). */
  directory: string;
  /** The metadata file (normally `<directory>/_metadata`; any file given directly). */
  metadataUri: string;
  metadataSize: number;
}

/** Runs `fn` with `opts.storages`, or with a private cache that is closed afterwards. */
export async function withStorages<T>(opts: CheckpointAccessOptions, fn: (s: Storages) => Promise<T>): Promise<T> {
  if (opts.storages) return fn(opts.storages);
  const s = new Storages(opts);
  try {
    return await fn(s);
  } finally {
    await s.close();
  }
}

/**
 * Flink's `AbstractFsCheckpointStorageAccess.resolveCheckpointPointer`: a directory (must
 * contain `_metadata`) or any file (taken as the metadata file; its parent is the directory).
 * Errors carry Flink's messages: `InvalidPointer` for empty / unparsable pointers, `NotFound`
 * for a missing path or a directory without `_metadata`. An S3 entropy key is removed first.
 */
export async function resolveCheckpointPointer(pointer: string, opts: CheckpointAccessOptions = {}): Promise<ResolvedCheckpoint> {
  if (typeof pointer !== 'string' || pointer === '') {
    throw new StorageError('InvalidPointer', 'empty checkpoint pointer', { operation: 'resolve' });
  }
  let uri: string;
  try {
    uri = formatUri(parseUri(removeEntropyKey(pointer, opts.entropyKey)));
  } catch (e) {
    throw new StorageError(
      'InvalidPointer',
      `Checkpoint/savepoint path '${pointer}' is not a valid file URI. Either the pointer path is invalid, or the checkpoint was created by a different state backend.`,
      { uri: pointer, operation: 'resolve', cause: e },
    );
  }
  return withStorages(opts, async (storages) => {
    let loc;
    try {
      loc = await storages.locate(uri);
    } catch (e) {
      const err = toStorageError(e, 'resolve', pointer);
      throw new StorageError(err.code, `Cannot access file system for checkpoint/savepoint path '${pointer}': ${err.reason}`, { uri: pointer, operation: 'resolve', cause: e });
    }
    const st = await loc.storage.stat(loc.path, { signal: opts.signal });
    if (st === undefined) {
      throw new StorageError('NotFound', `Cannot find checkpoint or savepoint file/directory '${pointer}' on file system '${parseUri(uri).scheme}'.`, {
        uri: pointer,
        operation: 'resolve',
      });
    }
    if (st.isDirectory) {
      const metadataUri = joinUri(uri, METADATA_FILE_NAME);
      const m = await storages.locate(metadataUri);
      const ms = await m.storage.stat(m.path, { signal: opts.signal });
      if (ms === undefined || ms.isDirectory) {
        const held = await listCheckpoints(uri, { ...opts, storages }).catch(() => []);
        if (held.length > 0) throw new NotACheckpointError(pointer, uri, held);
        throw new StorageError(
          'NotFound',
          `Cannot find meta data file '${METADATA_FILE_NAME}' in directory '${uri}'. Please try to load the checkpoint/savepoint directly from the metadata file instead of the directory.`,
          { uri: pointer, operation: 'resolve' },
        );
      }
      return { pointer, directory: uri, metadataUri, metadataSize: ms.size };
    }
    return { pointer, directory: parentUri(uri) ?? uri, metadataUri: uri, metadataSize: st.size };
  });
}

/**
 * Resolves a pointer and reads its metadata file, undecoded (a binary `_metadata`, or any file
 * given directly: `ckpt convert` takes JSON, msgpack and protobuf forms too).
 */
export async function readMetadataFile(pointer: string, opts: CheckpointAccessOptions = {}): Promise<{ resolved: ResolvedCheckpoint; bytes: Uint8Array }> {
  return withStorages(opts, async (storages) => {
    const resolved = await resolveCheckpointPointer(pointer, { ...opts, storages });
    const { storage, path } = await storages.locate(resolved.metadataUri);
    const bytes = await storage.readRange(path, 0, undefined, { signal: opts.signal });
    return { resolved, bytes };
  });
}

/** Resolves a pointer and decodes its `_metadata`. */
export async function loadCheckpoint(
  pointer: string,
  opts: CheckpointAccessOptions = {},
): Promise<{ resolved: ResolvedCheckpoint; metadata: CheckpointMetadata; bytes: Uint8Array }> {
  const { resolved, bytes } = await readMetadataFile(pointer, opts);
  const metadata = decodeMetadata(bytes, { file: resolved.metadataUri });
  return { resolved, metadata, bytes };
}

export interface CheckpointEntry {
  uri: string;
  name: string;
  kind: 'checkpoint' | 'savepoint';
  /** Checkpoint id from `chk-<n>` (savepoint ids are only in `_metadata`). */
  id?: number;
  /** 32-hex job id directory the entry was found under, if any. */
  jobId?: string;
  /** Has `_metadata` (a `chk-<n>` without one is in progress, failed or aborted). */
  complete: boolean;
  /** Name matches Flink's generated `savepoint-<6 hex>-<12 hex>`. */
  standardName?: boolean;
}

/**
 * A pointer at a directory that holds checkpoints (a job's checkpoint directory with `chk-<n>/`,
 * `shared/`, `taskowned/`, or `state.checkpoints.dir` above it) instead of one checkpoint.
 * `latest` is the newest complete checkpoint in it, if any.
 */
export class NotACheckpointError extends StorageError {
  readonly latest: CheckpointEntry | undefined;

  constructor(
    pointer: string,
    readonly directory: string,
    readonly checkpoints: CheckpointEntry[],
  ) {
    const latest = newestComplete(checkpoints);
    const names = checkpoints.map((e) => `${e.jobId !== undefined ? `${e.jobId}/` : ''}${e.name}${e.complete ? '' : ' (incomplete)'}`);
    const shown = names.length > 8 ? [...names.slice(0, 3), '…', ...names.slice(-4)] : names;
    super(
      'NotFound',
      `Cannot find meta data file '${METADATA_FILE_NAME}' in directory '${directory}': it holds checkpoints, it is not one (${shown.join(', ')}); ` +
        (latest !== undefined ? `the latest complete one is '${latest.uri}'` : 'none of them is complete (no _metadata: in progress, failed or aborted)'),
      { uri: pointer, operation: 'resolve' },
    );
    this.latest = latest;
  }
}

/** The newest complete retained checkpoint (`chk-<n>` with a `_metadata`) of a listing. */
export function newestComplete(entries: CheckpointEntry[]): CheckpointEntry | undefined {
  let newest: CheckpointEntry | undefined;
  for (const e of entries) {
    if (e.kind === 'checkpoint' && e.complete && e.id !== undefined && (newest === undefined || e.id > newest.id!)) newest = e;
  }
  return newest;
}

/**
 * The newest complete checkpoint under a checkpoint directory (also one level down, in job-id
 * directories), as `ckpt latest` names it; `NotFound` when there is none.
 */
export async function latestCheckpoint(dir: string, opts: CheckpointAccessOptions = {}): Promise<CheckpointEntry> {
  const newest = newestComplete(await listCheckpoints(dir, opts));
  if (newest === undefined) {
    throw new StorageError('NotFound', `no complete checkpoint (chk-<n> with a ${METADATA_FILE_NAME}) under '${dir}'`, { uri: dir, operation: 'resolve' });
  }
  return newest;
}

const CHK = /^chk-(\d+)$/;
const SAVEPOINT = /^savepoint-/;
const SAVEPOINT_STD = /^savepoint-[0-9a-f]{6}-[0-9a-f]{12}$/;
const JOB_ID = /^[0-9a-f]{32}$/;

/**
 * Lists `chk-*` and `savepoint-*` directories under a checkpoint / savepoint base directory,
 * also one level down inside 32-hex job-id directories. Checkpoints are ordered by numeric id.
 */
export async function listCheckpoints(dir: string, opts: CheckpointAccessOptions = {}): Promise<CheckpointEntry[]> {
  return withStorages(opts, async (storages) => {
    const base = formatUri(parseUri(dir));
    const out: CheckpointEntry[] = [];
    const scan = async (d: string, jobId?: string): Promise<void> => {
      const { storage, path } = await storages.locate(d);
      for await (const e of storage.list(path, { signal: opts.signal })) {
        if (!e.isDirectory) continue;
        const name = baseName(storage.toUri(e.path));
        const uri = joinUri(d, name);
        const chk = CHK.exec(name);
        if (chk !== null || SAVEPOINT.test(name)) {
          const m = await storages.locate(joinUri(uri, METADATA_FILE_NAME));
          const ms = await m.storage.stat(m.path);
          const entry: CheckpointEntry = { uri, name, kind: chk ? 'checkpoint' : 'savepoint', complete: ms !== undefined && !ms.isDirectory };
          if (chk) entry.id = Number(chk[1]);
          else entry.standardName = SAVEPOINT_STD.test(name);
          if (jobId !== undefined) entry.jobId = jobId;
          out.push(entry);
        } else if (jobId === undefined && JOB_ID.test(name)) {
          await scan(uri, name);
        }
      }
    };
    await scan(base);
    out.sort((a, b) => (a.kind !== b.kind ? (a.kind < b.kind ? -1 : 1) : a.kind === 'checkpoint' ? (a.id ?? 0) - (b.id ?? 0) : a.name < b.name ? -1 : 1));
    return out;
  });
}
