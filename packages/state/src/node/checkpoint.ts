import type { CheckpointMetadata } from '@ckpt/format';
import { loadCheckpoint, StorageSource, Storages, type CheckpointAccessOptions, type ResolvedCheckpoint } from '@ckpt/storage';
import { HandleResolver, type SourceOpener } from '../io/resolve.js';

/** Opens URIs and paths through `storages`: every scheme `@ckpt/storage` knows, ranged reads. */
export function storageOpener(storages: Storages, opts: { signal?: AbortSignal } = {}): SourceOpener {
  const options = opts.signal === undefined ? {} : { signal: opts.signal };
  return (uri) => new StorageSource(storages, uri, options);
}

/**
 * A resolver for the handles of the `_metadata` in `metadataDir` (a local path or any storage
 * URI). Local files need nothing closed; for remote ones pass `storages` and close it when done.
 */
export function storageResolver(metadataDir: string | undefined, storages: Storages = new Storages()): HandleResolver {
  return new HandleResolver({ ...(metadataDir === undefined ? {} : { metadataDir }), open: storageOpener(storages) });
}

/** A decoded checkpoint and the resolver for its state files. */
export interface CheckpointState {
  resolved: ResolvedCheckpoint;
  metadata: CheckpointMetadata;
  resolver: HandleResolver;
}

/**
 * Resolves a checkpoint pointer (a directory or `_metadata`, local or any storage URI, as Flink
 * resolves it), decodes its `_metadata`, and gives the resolver that reads its state files
 * through the same `storages` (which the caller closes).
 */
export async function loadCheckpointState(pointer: string, opts: CheckpointAccessOptions & { storages: Storages }): Promise<CheckpointState> {
  const { resolved, metadata } = await loadCheckpoint(pointer, opts);
  const resolver = new HandleResolver({ metadataDir: resolved.directory, open: storageOpener(opts.storages, opts) });
  return { resolved, metadata, resolver };
}
