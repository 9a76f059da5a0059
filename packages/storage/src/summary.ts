import { summarizeMetadataStream, type MetadataSummary } from '@ckpt/format';
import { resolveCheckpointPointer, withStorages, type CheckpointAccessOptions, type ResolvedCheckpoint } from './checkpoint.js';
import { digesting } from './digest.js';

/** {@link summarizeCheckpoint}'s answer: the summary and what was read. */
export interface CheckpointSummary {
  resolved: ResolvedCheckpoint;
  summary: MetadataSummary;
  /** Size and SHA-256 of the `_metadata` file, hashed in the same pass. */
  input: { file: string; byteLength: number; sha256: string };
}

/**
 * Summarizes a checkpoint's `_metadata` (per-operator subtask counts, state sizes, handle counts)
 * while streaming it once from its storage, without building the model: memory stays bounded by
 * the summary's read-ahead and the largest subtask record, whatever the file size. The pointer is
 * resolved as {@link loadCheckpoint} resolves it. Errors are the format's typed errors (naming the
 * file URI) or storage errors.
 */
export async function summarizeCheckpoint(pointer: string, opts: CheckpointAccessOptions = {}): Promise<CheckpointSummary> {
  return withStorages(opts, async (storages) => {
    const resolved = await resolveCheckpointPointer(pointer, { ...opts, storages });
    const { storage, path } = await storages.locate(resolved.metadataUri);
    const { stream, digest } = digesting(storage.read(path, { signal: opts.signal, transient: true }));
    // the summary reads to the end of the file (the trailer runs to it), so the digest completes
    const summary = await summarizeMetadataStream(stream, { file: resolved.metadataUri });
    const d = await digest;
    return { resolved, summary, input: { file: resolved.metadataUri, byteLength: d.size, sha256: d.sha256 } };
  });
}
