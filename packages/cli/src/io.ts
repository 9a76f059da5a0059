import { resolve } from 'node:path';
import type { CheckpointMetadata } from '@ckpt/format';
import { latestCheckpoint, loadCheckpoint, localPathOf, writeFileAtomically } from '@ckpt/storage';

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

/**
 * `--latest`: the newest complete `chk-<n>` under a checkpoint directory (as `ckpt latest` names
 * it; a local path for a local directory), said on `info`.
 */
export async function latestIn(dir: string, info: (s: string) => void): Promise<string> {
  const { uri } = await latestCheckpoint(dir);
  const chosen = localPathOf(uri) ?? uri;
  info(`using ${chosen}, the newest complete checkpoint under ${dir}`);
  return chosen;
}
