/**
 * A new `completedCheckpoint<hex>` file for a checkpoint or savepoint that has none in the HA
 * storage directory: the file Flink's JobManager writes when it restores that snapshot by path
 * (`-s`) and adds it to the store — built from the snapshot's `_metadata`, for the class shapes
 * of the cluster's Flink line.
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeMetadata, FormatError, readJavaStream, type JavaClassDesc } from '@ckpt/format';
import { withStorages, type StorageOptions, type Storages } from '@ckpt/storage';
import type { CreatedFile } from './backup.js';
import { buildCompletedCheckpoint } from './checkpoint-builder.js';
import { readCompletedCheckpoint, type StoredCompletedCheckpoint } from './completed-checkpoint.js';
import { HaError } from './errors.js';
import { CLS, flinkLine, type FlinkLine } from './flink-classes.js';
import type { StoredHandle } from './handle.js';
import { writeJavaObjectStream } from './java-writer.js';
import type { HaStore } from './store.js';

/** A file the change creates in the HA storage directory (written before the store entry). */
export interface NewHaFile {
  /** Its URI (`<haDir>/completedCheckpoint<12 hex>`). */
  file: string;
  bytes: Uint8Array;
  /** The Flink line whose class shapes it was written for, and how that was found. */
  line: FlinkLine;
  lineFrom: string;
}

export interface NewHaFileOptions {
  storages: Storages;
  /** `high-availability.storageDir/<cluster-id>`; default: the directory of the store's HA files. */
  haDir?: string;
  /** The cluster's Flink version (`2.3.0`); default: read from an HA file of the store. */
  flinkVersion?: string;
  randomUuid?: () => string;
}

/**
 * Builds the file for the snapshot at `pointer` (its directory, Flink's URI form, no trailing slash).
 * @throws HaError `NotFound` (no `_metadata`; no HA directory or Flink line known), `Unsupported`
 *   (state ckpt cannot write: channel state, changelog, file merging), `BadPayload` (`_metadata` unreadable)
 */
export async function newCompletedCheckpointFile(
  store: HaStore,
  pointer: string,
  opts: NewHaFileOptions,
): Promise<{ id: number; handle: StoredHandle; create: NewHaFile; checkpoint: StoredCompletedCheckpoint }> {
  if (store.jobId === '') throw new HaError('NotFound', `the store ${store.location} names no job`);
  const metadataUri = `${pointer}/_metadata`;
  let bytes: Uint8Array;
  try {
    const { storage, path } = await opts.storages.locate(metadataUri);
    bytes = await storage.readRange(path, 0);
  } catch (e) {
    throw new HaError(
      'NotFound',
      `${pointer} has no completedCheckpoint file in the HA storage directory and its _metadata cannot be read (${e instanceof Error ? e.message : String(e)})`,
      { file: metadataUri, cause: e },
    );
  }
  let metadata;
  try {
    metadata = decodeMetadata(bytes, { file: metadataUri });
  } catch (e) {
    if (e instanceof FormatError) throw new HaError('BadPayload', `${metadataUri}: ${e.detail}`, { file: metadataUri, cause: e });
    throw e;
  }
  const haDir = (opts.haDir ?? storeHaDir(store))?.replace(/\/+$/, '');
  if (haDir === undefined) {
    throw new HaError('NotFound', `the store ${store.location} has no entry to take the HA storage directory from: give --ha-dir (high-availability.storageDir/<cluster-id>)`);
  }
  const { line, from } = opts.flinkVersion !== undefined ? { line: flinkLine(opts.flinkVersion), from: `--flink-version ${opts.flinkVersion}` } : await storeLine(store, opts.storages);
  let out: Uint8Array;
  try {
    out = writeJavaObjectStream(
      buildCompletedCheckpoint({
        jobId: store.jobId,
        metadata,
        metadataSize: bytes.length,
        externalPointer: pointer,
        line,
        ...(opts.randomUuid ? { randomUuid: opts.randomUuid } : {}),
      }),
    );
  } catch (e) {
    if (e instanceof HaError && (e.code === 'Unsupported' || e.code === 'InvalidModel')) {
      throw new HaError(e.code, `cannot write a completedCheckpoint file for ${pointer}: ${e.detail}; restore it with \`-s ${pointer}\` (execution.savepoint.path) instead`, { file: metadataUri, cause: e });
    }
    throw e;
  }
  const file = `${haDir}/completedCheckpoint${randomBytes(6).toString('hex')}`;
  const checkpoint = readCompletedCheckpoint(out, file); // what Flink will read: the reader's check of the writer
  if (!Number.isSafeInteger(checkpoint.checkpointId)) throw new HaError('BadPayload', `checkpoint id ${metadata.checkpointId} is out of range`, { file: metadataUri });
  return { id: checkpoint.checkpointId, handle: { file, size: out.length }, create: { file, bytes: out, line, lineFrom: from }, checkpoint };
}

function storeHaDir(store: HaStore): string | undefined {
  const f = store.entries.find((e) => e.handle !== undefined)?.handle?.file;
  return f === undefined ? undefined : f.slice(0, f.lastIndexOf('/'));
}

/**
 * The Flink line of the cluster, from the class shapes in one of the store's HA files:
 * `OperatorSubtaskState.upstreamOutputBufferState` (2.3), `OperatorState.operatorName` (2.0 … 2.2), neither (1.20).
 */
async function storeLine(store: HaStore, storages: Storages): Promise<{ line: FlinkLine; from: string }> {
  for (const e of store.entries) {
    if (e.handle === undefined) continue;
    let descs: JavaClassDesc[];
    try {
      const { storage, path } = await storages.locate(e.handle.file);
      descs = readJavaStream(await storage.readRange(path, 0), 0, '', { annotations: true, arrays: true, maxDepth: 100 }).classDescs;
    } catch {
      continue; // a missing or broken file: try the next entry
    }
    const fields = (name: string): string[] | undefined => descs.find((d) => d.name === name)?.fields.map((f) => f.name);
    const subtask = fields(CLS.operatorSubtaskState);
    const operator = fields(CLS.operatorState);
    if (subtask === undefined || operator === undefined) continue;
    const line: FlinkLine = subtask.includes('upstreamOutputBufferState') ? '2.3' : operator.includes('operatorName') ? '2.0' : '1.20';
    return { line, from: `the class shapes of ${e.handle.file}` };
  }
  throw new HaError('NotFound', `no readable completedCheckpoint file in the store ${store.location} tells the cluster's Flink version: give --flink-version`);
}

/** The backup record of a file a change creates. */
export function createdFile(f: NewHaFile): CreatedFile {
  return { uri: f.file, size: f.bytes.length, sha256: createHash('sha256').update(f.bytes).digest('hex') };
}

/** Writes the new file atomically (visible only once complete) into the HA storage directory. */
export async function writeNewHaFile(f: NewHaFile, opts: StorageOptions & { storages?: Storages } = {}): Promise<void> {
  await withStorages(opts, async (storages) => {
    const { storage, path } = await storages.locate(f.file);
    await storage.write(path, f.bytes);
  });
}

/**
 * Removes files a change created, each only if it still holds what the change wrote; returns
 * one line per file (removed, or why not).
 */
export async function removeCreatedFiles(files: readonly CreatedFile[], opts: StorageOptions & { storages?: Storages; dryRun?: boolean } = {}): Promise<string[]> {
  return withStorages(opts, async (storages) => {
    const lines: string[] = [];
    for (const f of files) {
      const { storage, path } = await storages.locate(f.uri);
      let now: Uint8Array;
      try {
        now = await storage.readRange(path, 0);
      } catch {
        lines.push(`skip    ${f.uri}: gone already`);
        continue;
      }
      if (createHash('sha256').update(now).digest('hex') !== f.sha256) {
        lines.push(`skip    ${f.uri}: changed since (now ${now.length} bytes), left as it is`);
        continue;
      }
      if (opts.dryRun !== true) await storage.delete(path);
      lines.push(`${opts.dryRun === true ? '' : 'done    '}delete  ${f.uri}`);
    }
    return lines;
  });
}
