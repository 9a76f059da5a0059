import type { KeyedStateHandle, StreamStateHandle } from '@ckpt/format';
import { StateError } from '../errors.js';
import { MemorySource, SliceSource, type ByteSource } from './source.js';

/**
 * Opens the file a URI or path names, as written in `_metadata` (`file:/x`, `s3://bucket/k`, …)
 * or joined from a relative handle. On Node, `@ckpt/state/node` gives one over every storage
 * scheme (ranged reads); in a browser, {@link blobOpener} over the `File`s the user picked.
 */
export type SourceOpener = (uri: string) => ByteSource;

/** How to reach the files that the handles of one `_metadata` name. */
export interface HandleResolverOptions {
  /** Directory holding `_metadata` (a URI or a path); needed for relative handles. */
  metadataDir?: string;
  open: SourceOpener;
}

/** A key-group handle (tags 3, 7 and 12): its bytes are its delegate's. */
type KeyGroupsLike = Extract<KeyedStateHandle, { kind: 'keyGroups' | 'savepointKeyGroups' }>;

/** Flink's `Path(parent, child)` for a relative handle: the child below the metadata directory. */
function joinRelative(dir: string, rel: string): string {
  return `${dir.replace(/\/+$/, '')}/${rel.replace(/^\/+/, '')}`;
}

/**
 * The one way from a stream handle of the format model to its bytes: inline bytes, an absolute
 * file, a file relative to the metadata directory, a segment of a merged file (addressed from the
 * segment's start), an empty segment, or a key-group handle's delegate. Every state reader gets
 * its bytes through it; the files themselves are opened by the given {@link SourceOpener}.
 */
export class HandleResolver {
  constructor(readonly options: HandleResolverOptions) {}

  /** The URI or path of the file a stream handle reads (a segment's physical file); `undefined` for inline and empty handles. */
  uriOf(handle: StreamStateHandle): string | undefined {
    switch (handle.kind) {
      case 'file':
        return handle.path;
      case 'relativeFile': {
        const dir = this.options.metadataDir;
        if (dir === undefined) {
          throw new StateError('UnsupportedHandle', `relative handle ${handle.relativePath} needs the metadata directory`);
        }
        return joinRelative(dir, handle.relativePath);
      }
      case 'segmentFile':
        return handle.physicalPath;
      default:
        return undefined;
    }
  }

  /** The bytes of a stream handle; offsets in the enclosing handle are relative to its start. */
  resolve(handle: StreamStateHandle | KeyGroupsLike): ByteSource {
    switch (handle.kind) {
      case 'byteStream':
        return new MemorySource(handle.data, handle.name || '<inline>');
      case 'file':
      case 'relativeFile':
        return this.options.open(this.uriOf(handle)!);
      case 'segmentFile':
        return new SliceSource(this.options.open(handle.physicalPath), Number(handle.startPos), Number(handle.size));
      case 'emptySegmentFile':
        return new MemorySource(new Uint8Array(0), '<empty segment>');
      case 'keyGroups':
      case 'savepointKeyGroups':
        return this.resolve(handle.delegate);
    }
  }
}
