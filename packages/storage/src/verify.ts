import { forEachStreamHandle, type CheckpointMetadata } from '@ckpt/format';
import { type CheckpointAccessOptions, loadCheckpoint, type ResolvedCheckpoint } from './checkpoint.js';
import { digestStream, digesting, type StreamDigest } from './digest.js';
import { StorageError } from './errors.js';
import { Storages } from './open.js';
import { mapLimit } from './retry.js';
import { childPath, joinUri, parseUri, relativeKey } from './uri.js';

export const MANIFEST_FILE_NAME = 'ckpt-manifest.json';

/** A file referenced by `_metadata` and the minimum length its handles need. */
export interface FileReference {
  uri: string;
  /** Smallest length satisfying every handle / offset pointing into it. */
  requiredLength: number;
  /** Size recorded in a file handle (-1 = unknown), when there is one. */
  recordedSize?: number;
  /** Model path of the first handle referencing it. */
  modelPath: string;
  /** Number of handles referencing it. */
  references: number;
}

/**
 * Every file the metadata references (absolute, relative resolved against `metadataDir`,
 * segment files), de-duplicated by canonical URI, with the length the handles and the offsets
 * pointing into it need. Inline handles are not files (their path-like names never existed) and
 * are skipped.
 */
export function collectFileReferences(meta: CheckpointMetadata, metadataDir: string): FileReference[] {
  const refs = new Map<string, FileReference>();
  const add = (uri: string, need: number, path: string, recorded?: number): void => {
    const k = Storages.canonical(uri);
    const r = refs.get(k);
    if (r === undefined) {
      const ref: FileReference = { uri, requiredLength: need, modelPath: path, references: 1 };
      if (recorded !== undefined) ref.recordedSize = recorded;
      refs.set(k, ref);
    } else {
      r.requiredLength = Math.max(r.requiredLength, need);
      r.references++;
    }
  };
  forEachStreamHandle(meta, (h, path, offset) => {
    const need = Number(offset);
    switch (h.kind) {
      case 'file':
      case 'relativeFile': {
        const size = Number(h.size);
        add(h.kind === 'file' ? h.path : joinUri(metadataDir, h.relativePath), Math.max(need, size > 0 ? size : 0), path, size);
        break;
      }
      case 'segmentFile':
        add(h.physicalPath, Number(h.startPos) + Math.max(need, Number(h.size)), path);
        break;
      default:
    }
  });
  return [...refs.values()];
}

export interface FileCheck extends FileReference {
  exists: boolean;
  size?: number;
  sha256?: string;
  problem?: 'NotFound' | 'TooShort' | 'DigestMismatch' | 'SizeMismatch' | 'Unreadable';
  detail?: string;
}

export interface ManifestEntry {
  /** Relative to the checkpoint directory when inside it, else the absolute URI. */
  path: string;
  size: number;
  sha256: string;
}

export interface CheckpointManifest {
  format: 'ckpt-manifest';
  version: 1;
  createdAt: string;
  metadata: ManifestEntry;
  files: ManifestEntry[];
}

export interface VerifyOptions extends CheckpointAccessOptions {
  /** Stream every file and compute SHA-256 (default false: existence and lengths only). */
  digests?: boolean;
  /** Write `ckpt-manifest.json` into the checkpoint directory (implies digests). */
  writeManifest?: boolean;
  /** Compare against an existing manifest (implies digests; default true when one exists and digests are on). */
  checkManifest?: boolean;
  /** Parallel file checks (default 8). */
  concurrency?: number;
  /** The checkpoint as `loadCheckpoint` gave it, when the caller has it already (not read again). */
  loaded?: Awaited<ReturnType<typeof loadCheckpoint>>;
}

export interface VerifyReport {
  resolved: ResolvedCheckpoint;
  ok: boolean;
  metadata: StreamDigest;
  files: FileCheck[];
  problems: FileCheck[];
  manifest?: CheckpointManifest;
  manifestChecked: boolean;
}

function manifestPath(dir: string, uri: string): string {
  const d = parseUri(dir);
  const u = parseUri(uri);
  if (d.scheme === u.scheme && d.authority === u.authority && u.path.startsWith(`${d.path}/`)) return relativeKey(d.path, u.path);
  return uri;
}

/**
 * Checks that every file referenced by a checkpoint exists and is long enough for the offsets
 * pointing into it; with digests, streams each file once computing SHA-256, and writes and/or
 * re-checks `ckpt-manifest.json`. Never throws for a broken checkpoint: see `ok` / `problems`.
 */
export async function verifyCheckpoint(pointer: string, opts: VerifyOptions = {}): Promise<VerifyReport> {
  const storages = opts.storages ?? new Storages(opts);
  try {
    const o = { ...opts, storages };
    const { resolved, metadata: meta, bytes } = opts.loaded ?? (await loadCheckpoint(pointer, o));
    const metaDigest = await digestStream((async function* () { yield bytes; })());
    const manifestUri = joinUri(resolved.directory, MANIFEST_FILE_NAME);
    const ml = await storages.locate(manifestUri);
    let previous: CheckpointManifest | undefined;
    const wantDigests = opts.digests === true || opts.writeManifest === true || opts.checkManifest === true;
    if (wantDigests && opts.checkManifest !== false && (await ml.storage.stat(ml.path)) !== undefined) {
      try {
        previous = JSON.parse(new TextDecoder().decode(await ml.storage.readRange(ml.path))) as CheckpointManifest;
      } catch (e) {
        throw new StorageError('Corrupt', `unreadable manifest: ${String(e)}`, { uri: manifestUri, operation: 'verify', cause: e });
      }
    }
    const prevByPath = new Map((previous?.files ?? []).map((f) => [f.path, f]));
    const refs = collectFileReferences(meta, resolved.directory);
    let done = 0;
    const files = await mapLimit(refs, opts.concurrency ?? 8, async (ref): Promise<FileCheck> => {
      const c = await checkFile(ref);
      opts.onProgress?.({ unit: 'files', done: ++done, total: refs.length, item: ref.uri, ...(c.sha256 !== undefined && c.size !== undefined ? { bytes: c.size } : {}) });
      return c;
    });
    async function checkFile(ref: FileReference): Promise<FileCheck> {
      const c: FileCheck = { ...ref, exists: false };
      try {
        const { storage, path } = await storages.locate(ref.uri);
        const st = await storage.stat(path, { signal: opts.signal });
        if (st === undefined || st.isDirectory) return { ...c, problem: 'NotFound' };
        c.exists = true;
        c.size = st.size;
        if (st.size < ref.requiredLength) return { ...c, problem: 'TooShort', detail: `${st.size} < ${ref.requiredLength} bytes needed` };
        if (wantDigests) {
          const d = await digestStream(storage.read(path, { signal: opts.signal, transient: true }));
          c.sha256 = d.sha256;
          if (d.size !== st.size) return { ...c, problem: 'SizeMismatch', detail: `read ${d.size} bytes, stat said ${st.size}` };
          const p = prevByPath.get(manifestPath(resolved.directory, ref.uri));
          if (previous && (p === undefined || p.sha256 !== d.sha256 || p.size !== d.size)) {
            return { ...c, problem: 'DigestMismatch', detail: p === undefined ? 'not in manifest' : `manifest ${p.sha256}` };
          }
        }
        return c;
      } catch (e) {
        if (e instanceof StorageError && e.code === 'Aborted') throw e;
        return { ...c, problem: 'Unreadable', detail: String(e) };
      }
    }
    const problems = files.filter((f) => f.problem !== undefined);
    if (previous && (previous.metadata.sha256 !== metaDigest.sha256 || previous.metadata.size !== metaDigest.size)) {
      problems.push({ uri: resolved.metadataUri, requiredLength: 0, modelPath: '', references: 0, exists: true, problem: 'DigestMismatch', detail: 'metadata changed' });
    }
    const report: VerifyReport = { resolved, ok: problems.length === 0, metadata: metaDigest, files, problems, manifestChecked: previous !== undefined };
    if (opts.writeManifest && report.ok) {
      const manifest: CheckpointManifest = {
        format: 'ckpt-manifest',
        version: 1,
        createdAt: new Date().toISOString(),
        metadata: { path: manifestPath(resolved.directory, resolved.metadataUri), ...metaDigest },
        files: files.map((f) => ({ path: manifestPath(resolved.directory, f.uri), size: f.size ?? 0, sha256: f.sha256 ?? '' })),
      };
      await ml.storage.write(ml.path, new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`));
      report.manifest = manifest;
    }
    return report;
  } finally {
    if (opts.storages === undefined) await storages.close();
  }
}

export interface CopiedFile {
  path: string;
  size: number;
  sha256: string;
}

/**
 * Copies every object below `src` to the same relative paths below `dst` (any two backends),
 * streaming each object once and hashing it on the way (the digests are of the bytes written).
 */
export async function copyTree(src: string, dst: string, opts: CheckpointAccessOptions & { concurrency?: number } = {}): Promise<CopiedFile[]> {
  const storages = opts.storages ?? new Storages(opts);
  try {
    const s = await storages.locate(src);
    const d = await storages.locate(dst);
    const entries = [];
    for await (const e of s.storage.list(s.path, { recursive: true, signal: opts.signal })) entries.push(e);
    let done = 0;
    return await mapLimit(entries, opts.concurrency ?? 8, async (e) => {
      const rel = relativeKey(`/${s.path}`.replace(/\/$/, '') || '/', `/${e.path}`);
      const { stream, digest } = digesting(s.storage.read(e.path, { signal: opts.signal }));
      await d.storage.write(childPath(d.path, rel), stream, { signal: opts.signal });
      const copied = { path: rel, ...(await digest) };
      opts.onProgress?.({ unit: 'files', done: ++done, total: entries.length, bytes: copied.size, item: rel });
      return copied;
    });
  } finally {
    if (opts.storages === undefined) await storages.close();
  }
}
