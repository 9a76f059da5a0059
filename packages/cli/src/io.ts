import { randomBytes } from 'node:crypto';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { CheckpointMetadata } from '@ckpt/format';
import { loadCheckpoint } from '@ckpt/storage';

/** Where a checkpoint's `_metadata` is: the path itself, or `<dir>/_metadata` for a directory. */
export async function resolveMetadataPath(path: string): Promise<string> {
  const st = await stat(path);
  return st.isDirectory() ? join(path, '_metadata') : path;
}

export async function readBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(path));
}

/**
 * Writes a file atomically: into a temporary sibling, then renamed over the target, so readers
 * see the old or the new file, never a half-written one. Refuses to overwrite `protect`.
 */
export async function writeAtomically(path: string, data: Uint8Array | string, protect: string[] = []): Promise<void> {
  const target = resolve(path);
  if (protect.some((p) => resolve(p) === target)) {
    throw new Error(`refusing to overwrite the input ${path}`);
  }
  const tmp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data, { flag: 'wx' });
    await rename(tmp, target);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/** A URI with a scheme other than `file:` (s3://, hdfs://, gs://, abfs://, http://, …). */
export function isRemote(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(target) && !/^file:/i.test(target);
}

/**
 * Reads and decodes the `_metadata` of a checkpoint: a local file or directory, or any storage URI,
 * resolved as Flink resolves a checkpoint pointer (cloud SDKs load only for their schemes).
 */
export async function loadMetadata(target: string): Promise<CheckpointMetadata> {
  return (await loadCheckpoint(target)).metadata;
}
