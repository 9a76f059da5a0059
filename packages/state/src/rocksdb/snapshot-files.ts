import { CkptError, type StreamStateHandle } from '@ckpt/format';
import { readCurrent, readManifest, sstFileName, type Manifest } from '@ckpt/rocksdb';
import { StateError } from '../errors.js';
import { readExactly, type ByteSource } from '../io/source.js';
import type { NativeFile } from './native.js';

export type Resolve = (h: StreamStateHandle) => ByteSource;

/** `000123.sst` of `db/000123.sst`: RocksDB names files by their base name. */
export function baseName(localPath: string): string {
  return localPath.slice(localPath.lastIndexOf('/') + 1);
}

/**
 * The size of one file of a snapshot, checked against the size its handle records (when it
 * records one): a missing file is `MissingFile`, a shorter one `Truncated`, a longer one
 * `SizeMismatch` — each naming the file, so a damaged copy is never read as if whole.
 */
export async function checkedSize(f: NativeFile, src: ByteSource): Promise<number> {
  let size: number;
  try {
    size = await src.size();
  } catch (e) {
    if (e instanceof CkptError && e.code === 'NotFound') {
      throw new StateError('MissingFile', `${f.localPath} of the snapshot does not exist`, { file: src.name, cause: e });
    }
    throw e;
  }
  if (f.size !== undefined && f.size > 0 && size !== f.size) {
    throw new StateError(size < f.size ? 'Truncated' : 'SizeMismatch', `${f.localPath} has ${size} bytes, its handle records ${f.size}`, {
      file: src.name,
      offset: Math.min(size, f.size),
    });
  }
  return size;
}

/** The whole content of a small snapshot file (CURRENT), its size checked first. */
async function readFile(f: NativeFile, resolve: Resolve): Promise<{ bytes: Uint8Array; name: string }> {
  const src = resolve(f.handle);
  const size = await checkedSize(f, src);
  return { bytes: await readExactly(src, 0, size), name: src.name };
}

/** The MANIFEST RocksDB would open from a snapshot's files, replayed. */
export interface SnapshotManifest {
  /** The MANIFEST's entry among the handle's files. */
  file: NativeFile;
  /** Its source name (URI) as errors show it. */
  source: string;
  manifest: Manifest;
}

/**
 * Reads the MANIFEST that the snapshot's CURRENT names (without CURRENT: its only MANIFEST), as
 * RocksDB does when Flink restores the files: every record's checksum and every VersionEdit.
 * `undefined` when the handle holds neither CURRENT nor a MANIFEST. CURRENT naming a MANIFEST
 * the handle lacks is a `MissingFile` error naming CURRENT.
 */
export async function readSnapshotManifest(files: readonly NativeFile[], resolve: Resolve): Promise<SnapshotManifest | undefined> {
  const manifests = files.filter((f) => f.kind === 'manifest');
  const current = files.find((f) => f.kind === 'current');
  let chosen: NativeFile | undefined;
  if (current !== undefined) {
    const { bytes, name } = await readFile(current, resolve);
    const wanted = readCurrent(bytes, name);
    chosen = manifests.find((m) => baseName(m.localPath) === wanted);
    if (chosen === undefined) {
      const held = manifests.map((m) => m.localPath).join(', ') || 'no MANIFEST';
      throw new StateError('MissingFile', `CURRENT names ${wanted}, which the handle does not hold (it holds ${held})`, { file: name });
    }
  } else if (manifests.length === 1) {
    chosen = manifests[0]!;
  } else if (manifests.length === 0) {
    return undefined;
  } else {
    throw new StateError('MissingFile', `the handle holds ${manifests.length} MANIFEST files and no CURRENT naming one`, {});
  }
  const src = resolve(chosen.handle);
  await checkedSize(chosen, src);
  return { file: chosen, source: src.name, manifest: await readManifest(src) };
}

/**
 * Every live table of the MANIFEST must be among the handle's SST files (by local path, e.g.
 * `000123.sst`) with the size the MANIFEST records; otherwise RocksDB would fail to open the
 * restored DB — or, read file by file, entries would silently be missing. One error per table.
 */
export function liveFileProblems(m: SnapshotManifest, files: readonly NativeFile[]): StateError[] {
  const ssts = new Map(files.filter((f) => f.kind === 'sst').map((f) => [baseName(f.localPath), f]));
  const problems: StateError[] = [];
  for (const cf of m.manifest.columnFamilies) {
    for (const live of cf.files) {
      const name = sstFileName(live.number);
      const f = ssts.get(name);
      const where = `${m.file.localPath} lists ${name} (column family ${cf.name}, level ${live.level}, ${live.size} bytes)`;
      if (f === undefined) {
        problems.push(new StateError('MissingFile', `${where} but the handle holds no such file`, { file: m.source }));
      } else if (f.size !== undefined && f.size > 0 && f.size !== live.size) {
        problems.push(new StateError('SizeMismatch', `${where} but the handle records ${f.size} bytes`, { file: m.source }));
      }
    }
  }
  return problems;
}
