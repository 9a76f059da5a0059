import type { ByteReader } from '../binary/reader.js';
import type { ByteWriter } from '../binary/writer.js';
import type {
  ChangelogFileHandle,
  ChangelogFileSegment,
  ChangelogHandle,
  InMemoryChangelogHandle,
  KeyedStateHandle,
  StateChange,
} from '../model.js';
import { readKeyGroupRange, writeKeyGroupRange } from './key-groups.js';
import { readKeyedHandle, writeKeyedHandle } from './keyed.js';
import { readRequiredStreamHandle, writeStreamHandle } from './stream.js';
import { Tag, type DecodeContext, type EncodeContext } from './tags.js';

// Changelog handles changed layout inside Flink 1.14 → 1.15 without a new tag. Which optional
// fields are present in the model says which layout was (and will be) written.

/** Tags 8 / 14. */
export function readChangelogHandle(r: ByteReader, ctx: DecodeContext, v2: boolean): ChangelogHandle {
  if (!v2) ctx.touched.changelog = true;
  const layout = v2 ? 'release' : ctx.dialect.changelog;
  const keyGroupRange = readKeyGroupRange(r);
  const h: ChangelogHandle = { kind: 'changelog', keyGroupRange, materialized: [], nonMaterialized: [] };
  if (layout !== 'flink-1.14') h.checkpointedSize = r.i64('checkpointed size');
  h.materialized = r.at('materialized', () => readKeyedList(r, ctx, true));
  h.nonMaterialized = r.at('nonMaterialized', () => readKeyedList(r, ctx, false)) as KeyedStateHandle[];
  if (layout !== 'flink-1.14') h.materializationId = r.i64('materialization id');
  if (v2) h.checkpointId = r.i64('checkpoint id');
  if (layout === 'release') h.stateHandleId = r.utf('state handle id');
  return h;
}

export function writeChangelogHandle(w: ByteWriter, h: ChangelogHandle, ctx: EncodeContext): void {
  const v2 = h.checkpointId !== undefined;
  const has15 = h.checkpointedSize !== undefined && h.materializationId !== undefined;
  if ((h.checkpointedSize === undefined) !== (h.materializationId === undefined)) {
    throw w.invalid('changelog handle needs both checkpointedSize and materializationId, or neither');
  }
  if (h.stateHandleId !== undefined && !has15) {
    throw w.invalid('changelog handle with stateHandleId needs checkpointedSize and materializationId');
  }
  if (v2 && h.stateHandleId === undefined) {
    throw w.invalid('changelog handle with checkpointId (tag 14) needs stateHandleId');
  }
  w.u8(v2 ? Tag.CHANGELOG_V2 : Tag.CHANGELOG);
  writeKeyGroupRange(w, h.keyGroupRange);
  if (h.checkpointedSize !== undefined) w.i64(h.checkpointedSize, 'checkpointed size');
  w.at('materialized', () => writeKeyedList(w, h.materialized, ctx));
  w.at('nonMaterialized', () => writeKeyedList(w, h.nonMaterialized, ctx));
  if (h.materializationId !== undefined) w.i64(h.materializationId, 'materialization id');
  if (h.checkpointId !== undefined) w.i64(h.checkpointId, 'checkpoint id');
  if (h.stateHandleId !== undefined) w.utf(h.stateHandleId, 'state handle id');
}

function readKeyedList(
  r: ByteReader,
  ctx: DecodeContext,
  allowNull: boolean,
): (KeyedStateHandle | null)[] {
  const n = r.count('number of handles', 1);
  const out: (KeyedStateHandle | null)[] = [];
  for (let i = 0; i < n; i++) {
    const at = r.offset;
    const h = r.at(`[${i}]`, () => readKeyedHandle(r, ctx));
    if (h === null && !allowNull) throw r.error('BadValue', 'changelog increment is a null handle', at);
    out.push(h);
  }
  return out;
}

function writeKeyedList(w: ByteWriter, list: (KeyedStateHandle | null)[], ctx: EncodeContext): void {
  w.count(list.length, 'number of handles');
  list.forEach((h, i) => w.at(`[${i}]`, () => writeKeyedHandle(w, h, ctx)));
}

/** Tag 9. */
export function readInMemoryChangelogHandle(r: ByteReader, ctx: DecodeContext): InMemoryChangelogHandle {
  ctx.touched.changelog = true;
  const keyGroupRange = readKeyGroupRange(r);
  const from = r.i64('from sequence number');
  const to = r.i64('to sequence number');
  const n = r.count('number of changes', 8);
  const changes: StateChange[] = [];
  for (let i = 0; i < n; i++) {
    changes.push(
      r.at(`changes[${i}]`, () => {
        const keyGroup = r.i32('key group');
        return { keyGroup, data: r.lengthPrefixed('change') };
      }),
    );
  }
  const h: InMemoryChangelogHandle = { kind: 'inMemoryChangelog', keyGroupRange, from, to, changes };
  if (ctx.dialect.changelog === 'release') h.stateHandleId = r.utf('state handle id');
  return h;
}

export function writeInMemoryChangelogHandle(w: ByteWriter, h: InMemoryChangelogHandle): void {
  w.u8(Tag.CHANGELOG_BYTES);
  writeKeyGroupRange(w, h.keyGroupRange);
  w.i64(h.from, 'from sequence number');
  w.i64(h.to, 'to sequence number');
  w.count(h.changes.length, 'number of changes');
  h.changes.forEach((c, i) =>
    w.at(`changes[${i}]`, () => {
      w.i32(c.keyGroup, 'key group');
      w.lengthPrefixed(c.data, 'change');
    }),
  );
  if (h.stateHandleId !== undefined) w.utf(h.stateHandleId, 'state handle id');
}

/** Tags 10 / 13. */
export function readChangelogFileHandle(
  r: ByteReader,
  ctx: DecodeContext,
  v2: boolean,
): ChangelogFileHandle {
  if (!v2) ctx.touched.changelog = true;
  const layout = v2 ? 'release' : ctx.dialect.changelog;
  const keyGroupRange = readKeyGroupRange(r);
  const n = r.count('number of segments', 9);
  const segments: ChangelogFileSegment[] = [];
  for (let i = 0; i < n; i++) {
    segments.push(
      r.at(`segments[${i}]`, () => {
        const offset = r.i64('offset');
        return { offset, handle: readRequiredStreamHandle(r, ctx, 'handle') };
      }),
    );
  }
  const h: ChangelogFileHandle = {
    kind: 'changelogFile',
    keyGroupRange,
    segments,
    stateSize: r.i64('state size'),
  };
  if (layout !== 'flink-1.14') h.checkpointedSize = r.i64('checkpointed size');
  if (layout === 'release') h.stateHandleId = r.utf('state handle id');
  if (v2) h.storageIdentifier = r.utf('storage identifier');
  return h;
}

export function writeChangelogFileHandle(
  w: ByteWriter,
  h: ChangelogFileHandle,
  ctx: EncodeContext,
): void {
  const v2 = h.storageIdentifier !== undefined;
  if (h.stateHandleId !== undefined && h.checkpointedSize === undefined) {
    throw w.invalid('changelog file handle with stateHandleId needs checkpointedSize');
  }
  if (v2 && h.stateHandleId === undefined) {
    throw w.invalid('changelog file handle with storageIdentifier (tag 13) needs stateHandleId');
  }
  w.u8(v2 ? Tag.CHANGELOG_FILE_V2 : Tag.CHANGELOG_FILE);
  writeKeyGroupRange(w, h.keyGroupRange);
  w.count(h.segments.length, 'number of segments');
  h.segments.forEach((s, i) =>
    w.at(`segments[${i}]`, () => {
      w.i64(s.offset, 'offset');
      writeStreamHandle(w, s.handle, ctx);
    }),
  );
  w.i64(h.stateSize, 'state size');
  if (h.checkpointedSize !== undefined) w.i64(h.checkpointedSize, 'checkpointed size');
  if (h.stateHandleId !== undefined) w.utf(h.stateHandleId, 'state handle id');
  if (h.storageIdentifier !== undefined) w.utf(h.storageIdentifier, 'storage identifier');
}
