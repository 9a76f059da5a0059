import { encodeMetadata, mapStreamHandles, UsageError, type CheckpointMetadata, type StreamStateHandle } from '@ckpt/format';
import { childPath, fileUriOf, loadCheckpoint, Storages, verifyCheckpoint } from '@ckpt/storage';
import { isRemote } from '../io.js';
import { noProgress, type ProgressRunner } from '../progress.js';

export interface RelocateOptions {
  /** `OLD=NEW` prefixes of absolute paths to rewrite (repeatable). */
  prefix?: string[];
  /** Only write the new `_metadata`; do not copy the state files. */
  copy?: boolean;
  json?: boolean;
}

/** A local path or a URI, as a URI (`file:/x` for local paths, as Flink writes them). */
export function toUri(target: string): string {
  return isRemote(target) ? target.replace(/\/+$/, '') : fileUriOf(target);
}

/** Flink writes local paths as `file:/x`; storage URIs may say `file:///x`. Compare both forms. */
function samePrefix(path: string, dir: string): string | undefined {
  const forms = new Set([dir, dir.replace(/^file:\/\/\//, 'file:/'), dir.replace(/^file:\/(?!\/)/, 'file:///')]);
  for (const f of forms) if (path.startsWith(`${f}/`)) return path.slice(f.length + 1);
  return undefined;
}

/**
 * The model with absolute paths rewritten: files inside the old checkpoint directory become
 * relative handles (so the copy is self-contained), and `OLD=NEW` prefixes are replaced in every
 * absolute path (file handles, merged-file segments, file-merging directories).
 */
function relocateModel(meta: CheckpointMetadata, sourceDir: string, prefixes: [string, string][]): CheckpointMetadata {
  const rewrite = (p: string) => {
    for (const [from, to] of prefixes) if (p.startsWith(from)) return to + p.slice(from.length);
    return p;
  };
  const mapped = mapStreamHandles(meta, (h): StreamStateHandle => {
    if (h.kind === 'file') {
      const inside = samePrefix(h.path, sourceDir);
      if (inside !== undefined && !inside.includes('..')) return { kind: 'relativeFile', relativePath: inside, size: h.size };
      return { ...h, path: rewrite(h.path) };
    }
    if (h.kind === 'segmentFile') return { ...h, physicalPath: rewrite(h.physicalPath) };
    return h;
  });
  for (const op of mapped.operators) {
    for (const s of op.subtasks) {
      for (const slot of ['managedOperatorState', 'rawOperatorState'] as const) {
        const h = s[slot];
        if (h?.kind === 'fileMergingOperatorStream') s[slot] = { ...h, taskOwnedDir: rewrite(h.taskOwnedDir), sharedDir: rewrite(h.sharedDir) };
      }
    }
  }
  return mapped;
}

/**
 * `ckpt relocate <checkpoint> <target-dir>`: copies a savepoint/checkpoint directory to another
 * place (any storage), rewriting `_metadata` so it is valid there, and verifies the copy. The new
 * `_metadata` is written last, so an interrupted relocate never leaves a loadable half copy; the
 * source is never modified and an existing target `_metadata` is never overwritten.
 */
export async function relocate(
  source: string,
  target: string,
  opts: RelocateOptions,
  out: (s: string) => void,
  progress: ProgressRunner = noProgress,
): Promise<number> {
  const prefixes = (opts.prefix ?? []).map((p): [string, string] => {
    const i = p.indexOf('=');
    if (i <= 0) throw new UsageError('BadArgument', `--prefix expects OLD=NEW, got ${p}`);
    return [p.slice(0, i), p.slice(i + 1)];
  });
  const storages = new Storages();
  try {
    const { resolved, metadata } = await loadCheckpoint(source, { storages });
    const dst = toUri(target);
    if (dst === resolved.directory || samePrefix(`${dst}/x`, resolved.directory) === 'x') throw new UsageError('BadArgument', 'the target is the source directory');
    const d = await storages.locate(dst);
    if (await d.storage.stat(`${d.path}/_metadata`)) throw new UsageError('Exists', `${dst}/_metadata exists; refusing to overwrite it`);
    let copied = 0;
    if (opts.copy !== false) {
      const s = await storages.locate(resolved.directory);
      const base = s.path.replace(/\/$/, '');
      const todo: { path: string; rel: string; size: number }[] = [];
      for await (const e of s.storage.list(s.path, { recursive: true })) {
        if (e.isDirectory) continue;
        const rel = e.path.slice(base.length).replace(/^\/+/, '');
        if (rel === '_metadata' || rel === 'ckpt-manifest.json') continue;
        todo.push({ path: e.path, rel, size: e.size });
      }
      await progress('relocate: copying', async (onProgress) => {
        for (const e of todo) {
          await d.storage.write(childPath(d.path, e.rel), s.storage.read(e.path));
          onProgress({ unit: 'files', done: ++copied, total: todo.length, bytes: e.size, item: e.rel });
        }
      });
    }
    const moved = relocateModel(metadata, resolved.directory, prefixes);
    await d.storage.write(`${d.path}/_metadata`, encodeMetadata(moved));
    const report = await progress('relocate: verifying', (onProgress) => verifyCheckpoint(dst, { storages, onProgress }));
    const summary = { source: resolved.directory, target: dst, filesCopied: copied, verified: report.ok, problems: report.problems };
    out(opts.json ? JSON.stringify(summary, null, 2) : `${report.ok ? 'relocated' : 'relocated, but verification FAILED'}: ${resolved.directory} -> ${dst} (${copied} files copied)` +
      report.problems.map((p) => `\n  ${p.problem}: ${p.uri}`).join(''));
    return report.ok ? 0 : 4;
  } finally {
    await storages.close();
  }
}
