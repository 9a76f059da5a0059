import type { StreamStateHandle } from '@ckpt/format';
import { bytesToBase64 } from '@ckpt/format';

/**
 * A string that is equal for two stream handles iff Flink's `equals` considers them equal
 * (file handles by path, relative handles by relative path, inline handles by name and bytes,
 * segments by file, position, size and scope). Used where Flink merges by delegate stream handle.
 */
export function streamIdentity(h: StreamStateHandle): string {
  switch (h.kind) {
    case 'file':
      return `file:${h.path}`;
    case 'relativeFile':
      return `relative:${h.relativePath}`;
    case 'byteStream':
      return `bytes:${h.name}:${bytesToBase64(h.data)}`;
    case 'segmentFile':
      return `segment:${h.physicalPath}:${h.startPos}:${h.size}:${h.scope}`;
    case 'emptySegmentFile':
      return 'emptySegment';
    case 'keyGroups':
      return `keyGroups:${h.keyGroupRange.start}+${h.keyGroupRange.count}:${streamIdentity(h.delegate)}`;
  }
}

/** A short human label of a stream handle (the file it reads). */
export function streamLabel(h: StreamStateHandle): string {
  switch (h.kind) {
    case 'file':
      return h.path;
    case 'relativeFile':
      return h.relativePath;
    case 'byteStream':
      return `(inline ${h.name})`;
    case 'segmentFile':
      return `${h.physicalPath}@${h.startPos}`;
    case 'emptySegmentFile':
      return '(empty segment)';
    case 'keyGroups':
      return streamLabel(h.delegate);
  }
}
