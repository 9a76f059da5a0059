import { resolve } from 'node:path';
import type { CheckpointMetadata } from '@ckpt/format';
import { loadCheckpoint, writeFileAtomically } from '@ckpt/storage';

/**
 * Writes a local file atomically (a temporary sibling renamed over the target: readers see the old
 * or the new file, never a half-written one). Refuses to overwrite `protect`.
 */
export async function writeAtomically(path: string, data: Uint8Array | string, protect: string[] = []): Promise<void> {
  const target = resolve(path);
  if (protect.some((p) => resolve(p) === target)) {
    throw new Error(`refusing to overwrite the input ${path}`);
  }
  await writeFileAtomically(target, data);
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
