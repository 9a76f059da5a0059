import { ByteReader, type KeyedStateHandle } from '@ckpt/format';
import { StateError, guard } from '../errors.js';
import type { HandleResolver } from '../io/resolve.js';
import { readAll } from '../io/source.js';
import { SnappyFraming } from '../snappy/framing.js';

/** One logged state change: the key group it belongs to (-1: state metadata) and its bytes. */
export interface LoggedChange {
  keyGroup: number;
  data: Uint8Array;
  /** Where it came from, for errors. */
  file: string;
  offset: number;
}

/** The key group Flink's changelog writer uses for state metadata records. */
export const COMMON_KEY_GROUP = -1;

/**
 * The change set at `offset` of a DSTL file (flink-dstl-dfs): the file's first byte says whether
 * the rest is a Snappy-framed stream (1) or plain (0); offsets count the uncompressed bytes after
 * it. A change set is `int groups`, then per group `int changes`, `int keyGroup` and per change
 * `int length`, `bytes` (metadata records first: key group -1 sorts first).
 */
export function readChangeSet(stream: Uint8Array, offset: number, file: string): LoggedChange[] {
  return guard(file, () => {
    const r = new ByteReader(stream, offset, 1);
    const out: LoggedChange[] = [];
    const groups = r.i32('change groups');
    if (groups < 0) throw new StateError('BadLength', `change set with ${groups} groups`, { offset: offset + 1, file });
    for (let g = 0; g < groups; g++) {
      const n = r.i32('changes in group');
      const keyGroup = r.i32('key group');
      if (n < 0) throw new StateError('BadLength', `change group with ${n} changes`, { offset: r.offset + 1, file });
      for (let i = 0; i < n; i++) {
        const at = r.offset;
        const len = r.i32('change length');
        if (len < 0) throw new StateError('BadLength', `change of ${len} bytes`, { offset: at + 1, file });
        out.push({ keyGroup, data: r.raw(len, 'change'), file, offset: at + 1 });
      }
    }
    return out;
  });
}

/** The uncompressed change stream of a DSTL file (after its compression flag). */
export async function changeStream(file: Uint8Array, name: string): Promise<Uint8Array> {
  if (file.length === 0) throw new StateError('Truncated', 'changelog file is empty (no compression flag)', { file: name, offset: 0 });
  const flag = file[0];
  if (flag === 0) return file.subarray(1);
  if (flag === 1) return (await SnappyFraming.shared()).decode(file.subarray(1), { base: 1, file: name, requireIdentifier: true });
  throw new StateError('BadValue', `changelog file starts with compression flag ${flag}, expected 0 or 1`, { file: name, offset: 0 });
}

type ChangelogLike = Extract<KeyedStateHandle, { kind: 'changelogFile' | 'inMemoryChangelog' }>;

/**
 * Every change of a non-materialized changelog handle, in Flink's restore order: an in-memory
 * handle's changes as listed; a file handle's change sets segment by segment, each read from its
 * file at its offset. Files are read once each.
 */
export async function* handleChanges(h: ChangelogLike, resolver: Pick<HandleResolver, 'resolve'>): AsyncGenerator<LoggedChange[]> {
  if (h.kind === 'inMemoryChangelog') {
    yield h.changes.map((c, i) => ({ keyGroup: c.keyGroup, data: c.data, file: '<in-memory changelog>', offset: i }));
    return;
  }
  const streams = new Map<string, Uint8Array>();
  for (const seg of h.segments) {
    const src = resolver.resolve(seg.handle);
    let stream = streams.get(src.name);
    if (!stream) streams.set(src.name, (stream = await changeStream(await readAll(src), src.name)));
    const offset = Number(seg.offset);
    if (offset < 0 || offset >= stream.length) {
      throw new StateError('Truncated', `change set offset ${offset} is past the end of the change stream (${stream.length} bytes)`, { file: src.name, offset });
    }
    yield readChangeSet(stream, offset, src.name);
  }
}
