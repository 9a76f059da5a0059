import { StateError } from '../errors.js';
import { checkRange, type ByteSource } from './source.js';
import type { SourceOpener } from './resolve.js';

/** What a browser `File` / `Blob` offers (and Node's `Blob`): a size and ranged slices. */
export interface BlobLike {
  readonly size: number;
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> };
}

/** A `File` picked from a directory: its name and, for a directory pick, the path below it. */
export interface FileLike extends BlobLike {
  readonly name: string;
  readonly webkitRelativePath?: string;
}

/** A source over a `Blob` or `File`: each read slices only the range asked for. */
export class BlobSource implements ByteSource {
  constructor(
    readonly blob: BlobLike,
    readonly name = (blob as Partial<FileLike>).name ?? '<blob>',
  ) {}

  size(): Promise<number> {
    return Promise.resolve(this.blob.size);
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    checkRange(this.name, offset, length);
    const end = Math.min(this.blob.size, offset + length);
    if (end <= offset) return new Uint8Array(0);
    return new Uint8Array(await this.blob.slice(offset, end).arrayBuffer());
  }
}

/**
 * Opens the files of a checkpoint directory the user picked (or dropped): a URI from `_metadata`
 * is matched to the file whose relative path (`webkitRelativePath`, else its name) is the longest
 * tail of the URI's path, so `file:/flink/sp-1/abc` finds `sp-1/abc`. A URI no file matches is a
 * typed `Io` error.
 */
export function blobOpener(files: Iterable<FileLike>): SourceOpener {
  const all = [...files].map((f) => ({ f, path: (f.webkitRelativePath || f.name).replace(/^\/+/, '') }));
  return (uri) => {
    const path = uri.replace(/^[a-z][a-z0-9+.-]*:(\/\/[^/]*)?/i, '');
    let best: { f: FileLike; path: string } | undefined;
    for (const c of all) {
      // the whole relative path, or its tail after the picked directory's own name
      const tails = [c.path, c.path.slice(c.path.indexOf('/') + 1)];
      if (tails.some((t) => path === t || path.endsWith(`/${t}`)) && (best === undefined || c.path.length > best.path.length)) best = c;
    }
    if (best === undefined) throw new StateError('Io', `none of the ${all.length} given files is ${uri}`, { file: uri });
    return new BlobSource(best.f, uri);
  };
}
