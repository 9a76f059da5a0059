import type { StreamStateHandle } from '@ckpt/format';
import { StateError } from '../errors.js';
import { FileSource } from './file-source.js';
import { MemorySource, SliceSource, type ByteSource } from './source.js';

/** How to reach the files that the handles of one `_metadata` name. */
export interface HandleResolverOptions {
  /** Directory holding `_metadata` (a local path or a `file:` URI); needed for relative handles. */
  metadataDir?: string;
  /**
   * Opens a file by path (after `file:` URIs were turned into local paths). Default: a local
   * {@link FileSource} (Node only). Supply your own for object stores or browsers.
   */
  openFile?: (path: string) => ByteSource;
}

/** `file:/a/b`, `file:///a/b` → `/a/b`; other strings unchanged. */
export function localPath(pathOrUri: string): string {
  const m = /^file:(\/\/[^/]*)?(\/.*)$/.exec(pathOrUri);
  return m ? decodeURIComponent(m[2]!) : pathOrUri;
}

function joinPath(dir: string, rel: string): string {
  return dir.endsWith('/') ? dir + rel : `${dir}/${rel}`;
}

/** Turns the stream handles of a decoded `_metadata` into {@link ByteSource}s. */
export class HandleResolver {
  private readonly openFile: (path: string) => ByteSource;
  constructor(readonly options: HandleResolverOptions = {}) {
    this.openFile = options.openFile ?? ((p) => new FileSource(p));
  }

  /** The bytes of a stream handle; offsets in the enclosing handle are relative to its start. */
  resolve(handle: StreamStateHandle): ByteSource {
    switch (handle.kind) {
      case 'byteStream':
        return new MemorySource(handle.data, handle.name || '<inline>');
      case 'file':
        return this.openFile(localPath(handle.path));
      case 'relativeFile': {
        const dir = this.options.metadataDir;
        if (dir === undefined) {
          throw new StateError('UnsupportedHandle', `relative handle ${handle.relativePath} needs metadataDir`);
        }
        return this.openFile(joinPath(localPath(dir), handle.relativePath));
      }
      case 'segmentFile':
        return new SliceSource(
          this.openFile(localPath(handle.physicalPath)),
          Number(handle.startPos),
          Number(handle.size),
        );
      case 'emptySegmentFile':
        return new MemorySource(new Uint8Array(0), '<empty segment>');
      case 'keyGroups':
        return this.resolve(handle.delegate);
    }
  }
}
