import fc from 'fast-check';
import type {
  ChangelogFileHandle,
  ChangelogHandle,
  CheckpointMetadata,
  Dialect,
  InMemoryChangelogHandle,
  InputChannelStateHandle,
  KeyedStateHandle,
  MasterState,
  OperatorState,
  OperatorStateHandle,
  ResultSubpartitionStateHandle,
  StreamStateHandle,
  SubtaskState,
} from '../../src/index.js';
import { DISTRIBUTION_MODES } from '../../src/index.js';
import {
  readCheckpointProperties,
  TRAILER_CLASSES,
  writeCheckpointProperties,
  type CheckpointPropertiesView,
  type SnapshotTypeView,
} from '../../src/trailer/index.js';

/**
 * fast-check arbitraries for valid models of every version and handle kind. A model is generated
 * together with the layout dialect its handles follow, because one file has one layout.
 */
export interface Generated {
  meta: CheckpointMetadata;
  dialect: Dialect;
}

const int = fc.integer({ min: -0x80000000, max: 0x7fffffff });
const nat = fc.integer({ min: 0, max: 0x7fffffff });
const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const bytes = fc.uint8Array({ maxLength: 24 });
/** Any UTF-16 string (incl. NUL, lone surrogates and astral pairs) short enough for writeUTF. */
const utf = fc.string({ unit: 'binary', maxLength: 12 });
const nonEmptyUtf = fc.string({ unit: 'binary', minLength: 1, maxLength: 12 });
const offsets = (n: number) => fc.array(long, { minLength: n, maxLength: n });
const range = fc.record({ start: fc.integer({ min: 0, max: 1000 }), count: fc.integer({ min: 0, max: 4 }) });

type Ctx = { version: number; dialect: Dialect };

function leafStream(): fc.Arbitrary<StreamStateHandle> {
  return fc.oneof(
    fc.record({ kind: fc.constant('byteStream' as const), name: utf, data: bytes }),
    fc.record({ kind: fc.constant('file' as const), path: utf, size: long }),
    fc.record({ kind: fc.constant('relativeFile' as const), relativePath: utf, size: long }),
    segment(),
    fc.constant({ kind: 'emptySegmentFile' as const }),
  );
}

function segment(): fc.Arbitrary<StreamStateHandle> {
  return fc.record({
    kind: fc.constant('segmentFile' as const),
    startPos: long,
    size: long,
    scope: fc.constantFrom(0, 1),
    physicalPath: utf,
    logicalFileId: utf,
  });
}

function stream(depth = 2): fc.Arbitrary<StreamStateHandle> {
  if (depth <= 0) return leafStream();
  return fc.oneof(
    { weight: 4, arbitrary: leafStream() },
    {
      weight: 1,
      arbitrary: range.chain((kg) =>
        fc.record({
          kind: fc.constant('keyGroups' as const),
          keyGroupRange: fc.constant(kg),
          offsets: offsets(kg.count),
          delegate: stream(depth - 1),
        }),
      ),
    },
  );
}

function keyGroupsLike<K extends 'keyGroups' | 'savepointKeyGroups'>(kind: K, withId: boolean) {
  return range.chain((kg) =>
    fc.record({
      kind: fc.constant(kind),
      keyGroupRange: fc.constant(kg),
      offsets: offsets(kg.count),
      delegate: stream(),
      ...(withId ? { stateHandleId: utf } : {}),
    }),
  );
}

const localFiles = fc.array(fc.record({ localPath: utf, handle: stream(1) }), { maxLength: 3 });

function incremental(): fc.Arbitrary<KeyedStateHandle> {
  return fc.boolean().chain((v2) =>
    fc.record({
      kind: fc.constant('incremental' as const),
      checkpointId: long,
      backendId: utf,
      keyGroupRange: range,
      ...(v2 ? { checkpointedSize: long } : {}),
      metaStateHandle: stream(1),
      sharedState: localFiles,
      privateState: localFiles,
      ...(v2 ? { stateHandleId: utf } : {}),
    }),
  );
}

function inMemoryChangelog(ctx: Ctx): fc.Arbitrary<InMemoryChangelogHandle> {
  return fc.record({
    kind: fc.constant('inMemoryChangelog' as const),
    keyGroupRange: range,
    from: long,
    to: long,
    changes: fc.array(fc.record({ keyGroup: int, data: bytes }), { maxLength: 3 }),
    ...(ctx.dialect.changelog === 'release' ? { stateHandleId: utf } : {}),
  });
}

function changelogFile(ctx: Ctx): fc.Arbitrary<ChangelogFileHandle> {
  const layout = ctx.dialect.changelog;
  return fc.boolean().chain((v2) => {
    const release = v2 || layout === 'release';
    return fc.record({
      kind: fc.constant('changelogFile' as const),
      keyGroupRange: range,
      segments: fc.array(fc.record({ offset: long, handle: stream(1) }), { maxLength: 3 }),
      stateSize: long,
      ...(release || layout === 'flink-1.15-dev' ? { checkpointedSize: long } : {}),
      ...(release ? { stateHandleId: utf } : {}),
      ...(v2 ? { storageIdentifier: utf } : {}),
    });
  });
}

function changelog(ctx: Ctx, depth: number): fc.Arbitrary<ChangelogHandle> {
  const layout = ctx.dialect.changelog;
  const increments = fc.oneof(inMemoryChangelog(ctx), changelogFile(ctx));
  return fc.boolean().chain((v2) => {
    const l = v2 ? 'release' : layout;
    return fc.record({
      kind: fc.constant('changelog' as const),
      keyGroupRange: range,
      ...(l !== 'flink-1.14' ? { checkpointedSize: long } : {}),
      materialized: fc.array(fc.option(keyed(ctx, depth - 1), { nil: null }), { maxLength: 2 }),
      nonMaterialized: fc.array(increments, { maxLength: 2 }),
      ...(l !== 'flink-1.14' ? { materializationId: long } : {}),
      ...(v2 ? { checkpointId: long } : {}),
      ...(l === 'release' ? { stateHandleId: utf } : {}),
    });
  });
}

export function keyed(ctx: Ctx, depth = 2): fc.Arbitrary<KeyedStateHandle> {
  const options: fc.Arbitrary<KeyedStateHandle>[] = [
    keyGroupsLike('keyGroups', false),
    keyGroupsLike('keyGroups', true),
    keyGroupsLike('savepointKeyGroups', false),
    incremental(),
    inMemoryChangelog(ctx),
    changelogFile(ctx),
  ];
  if (depth > 0) options.push(changelog(ctx, depth));
  return fc.oneof(...options);
}

const stateEntries = fc.array(
  fc.record({
    name: utf,
    mode: fc.constantFrom(...DISTRIBUTION_MODES),
    offsets: fc.array(long, { maxLength: 3 }),
  }),
  { maxLength: 3 },
);

export function operatorHandle(): fc.Arbitrary<OperatorStateHandle> {
  return fc.oneof(
    fc.record({ kind: fc.constant('operatorStream' as const), states: stateEntries, delegate: stream() }),
    fc
      .record({
        kind: fc.constant('fileMergingOperatorStream' as const),
        states: stateEntries,
        taskOwnedDir: utf,
        sharedDir: utf,
        isEmpty: fc.boolean(),
        delegate: fc.oneof(segment(), fc.constant({ kind: 'emptySegmentFile' as const })),
      })
      .chain((h) =>
        h.isEmpty
          ? fc.option(fc.integer({ min: 2, max: 255 }), { nil: undefined }).map((raw) =>
              raw === undefined ? h : { ...h, isEmptyRaw: raw },
            )
          : fc.constant(h),
      ),
  );
}

function channelBody(ctx: Ctx) {
  return {
    ...(ctx.dialect.channelSubtaskIndex ? { subtaskIndex: int } : {}),
    offsets: fc.array(long, { maxLength: 3 }),
    stateSize: long,
    delegate: stream(1),
  };
}

function mergedBody() {
  return {
    subtaskIndex: int,
    stateSize: long,
    delegate: stream(1),
    channels: fc.array(
      fc.record({ infoA: int, infoB: int, stateSize: long, offsets: fc.array(long, { maxLength: 3 }) }),
      { maxLength: 3 },
    ),
  };
}

function inputChannels(ctx: Ctx): fc.Arbitrary<InputChannelStateHandle[]> {
  const plain = fc.record({
    kind: fc.constant('inputChannel' as const),
    gateIndex: int,
    inputChannelIndex: int,
    ...channelBody(ctx),
  });
  const one: fc.Arbitrary<InputChannelStateHandle> =
    ctx.version >= 6
      ? fc.oneof(plain, fc.record({ kind: fc.constant('mergedInputChannels' as const), ...mergedBody() }))
      : plain;
  return fc.array(one, { maxLength: 2 });
}

function resultSubpartitions(ctx: Ctx): fc.Arbitrary<ResultSubpartitionStateHandle[]> {
  const plain = fc.record({
    kind: fc.constant('resultSubpartition' as const),
    partitionIndex: int,
    subpartitionIndex: int,
    ...channelBody(ctx),
  });
  const one: fc.Arbitrary<ResultSubpartitionStateHandle> =
    ctx.version >= 6
      ? fc.oneof(plain, fc.record({ kind: fc.constant('mergedResultSubpartitions' as const), ...mergedBody() }))
      : plain;
  return fc.array(one, { maxLength: 2 });
}

const maybe = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: null, freq: 2 });

function subtask(ctx: Ctx): fc.Arbitrary<SubtaskState> {
  const v = ctx.version;
  const index = v >= 3 ? nat : int;
  const live = fc
    .record({
      index,
      managedOperatorState: v === 1 ? fc.constant(null) : maybe(operatorHandle()),
      rawOperatorState: v === 1 ? fc.constant(null) : maybe(operatorHandle()),
      managedKeyedState: maybe(keyed(ctx)),
      rawKeyedState: maybe(keyed(ctx)),
      inputChannelState: v >= 3 ? inputChannels(ctx) : fc.constant<InputChannelStateHandle[]>([]),
      resultSubpartitionState: v >= 3 ? resultSubpartitions(ctx) : fc.constant<ResultSubpartitionStateHandle[]>([]),
      legacy:
        v <= 2
          ? fc.record({ duration: long, legacyOperatorState: fc.array(maybe(stream(1)), { maxLength: 2 }) })
          : fc.constant(undefined),
      chain:
        v === 1
          ? fc.record({
              managed: fc.array(maybe(operatorHandle()), { maxLength: 2 }),
              raw: fc.array(maybe(operatorHandle()), { maxLength: 2 }),
            })
          : fc.constant(undefined),
      ref: v >= 7 ? fc.oneof(long, fc.constant(undefined), fc.integer({ min: 2, max: 255 })) : fc.constant(undefined),
      flags: v >= 2 ? fc.option(fc.tuple(fc.integer({ min: 2, max: 9 }), fc.integer({ min: 2, max: 9 })), { nil: undefined }) : fc.constant(undefined),
    })
    .map(({ legacy, chain, ref, flags, ...s }) => {
      const out: SubtaskState = { ...s };
      if (legacy) out.legacy = legacy;
      if (chain) out.chain = chain;
      if (typeof ref === 'bigint') out.refCheckpointId = ref;
      else if (typeof ref === 'number') out.refMarkerRaw = ref;
      if (flags) {
        const f: [number, number] = [
          s.managedOperatorState ? flags[0] : 0,
          s.rawOperatorState ? flags[1] : 0,
        ];
        if (f[0] > 1 || f[1] > 1) out.operatorStateFlagsRaw = f;
      }
      return out;
    });
  if (v < 3) return live;
  const finished = fc.record({
    index: nat,
    finished: fc.constant(true as const),
    managedOperatorState: fc.constant(null),
    rawOperatorState: fc.constant(null),
    managedKeyedState: fc.constant(null),
    rawKeyedState: fc.constant(null),
    inputChannelState: fc.constant<InputChannelStateHandle[]>([]),
    resultSubpartitionState: fc.constant<ResultSubpartitionStateHandle[]>([]),
  });
  return fc.oneof({ weight: 4, arbitrary: live }, { weight: 1, arbitrary: finished });
}

const hexId = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => Buffer.from(b).toString('hex'));

function operator(ctx: Ctx): fc.Arbitrary<OperatorState> {
  const v = ctx.version;
  return fc
    .record({
      operatorId: hexId,
      name: v >= 5 ? fc.option(nonEmptyUtf, { nil: undefined }) : fc.constant(undefined),
      uid: v >= 5 ? fc.option(nonEmptyUtf, { nil: undefined }) : fc.constant(undefined),
      parallelism: int,
      maxParallelism: int,
      chainLength: v <= 2 ? fc.option(int, { nil: undefined }) : fc.constant(undefined),
      coordinatorState:
        v >= 3
          ? maybe(fc.record({ kind: fc.constant('byteStream' as const), name: utf, data: bytes }))
          : fc.constant(null),
      finished: v >= 3 ? fc.option(fc.integer({ min: -0x80000000, max: -1 }), { nil: undefined, freq: 6 }) : fc.constant(undefined),
      subtasks: fc.array(subtask(ctx), { maxLength: 3 }),
    })
    .map(({ name, uid, chainLength, finished, ...op }) => {
      const out: OperatorState = { ...op };
      if (name !== undefined) out.name = name;
      if (uid !== undefined) out.uid = uid;
      if (v <= 2) out.chainLength = chainLength ?? 1;
      if (finished !== undefined) {
        out.finishedMarker = finished;
        out.subtasks = [];
        out.coordinatorState = null;
      }
      return out;
    });
}

const masterState: fc.Arbitrary<MasterState> = fc.record({ name: utf, version: int, payload: bytes });

// ---------------------------------------------------------------- properties trailer

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }), // lone surrogates, NUL
  fc.constantFrom('Checkpoint', 'Savepoint', 'NATIVE', 'FORWARD', 'Ljava/lang/String;', ''),
);
const enumName = (...known: string[]): fc.Arbitrary<string | undefined> =>
  fc.option(fc.oneof(fc.constantFrom(...known), anyString), { nil: undefined });
const snapshotType: fc.Arbitrary<SnapshotTypeView> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('checkpoint' as const),
      className: fc.constant(TRAILER_CLASSES.checkpointType),
      name: fc.option(anyString, { nil: null }),
      sharingFilesStrategy: enumName('FORWARD_BACKWARD', 'FORWARD', 'NO_SHARING'),
    },
    { requiredKeys: ['kind', 'className', 'name'] },
  ),
  fc.record(
    {
      kind: fc.constant('savepoint' as const),
      className: fc.constant(TRAILER_CLASSES.savepointType),
      name: fc.option(anyString, { nil: null }),
      formatType: enumName('CANONICAL', 'NATIVE'),
      postCheckpointAction: enumName('NONE', 'SUSPEND', 'TERMINATE'),
    },
    { requiredKeys: ['kind', 'className', 'name'] },
  ),
);
/** Any properties view the trailer writer accepts (the decoder's model uses these too). */
export const propertiesViewArb: fc.Arbitrary<Omit<CheckpointPropertiesView, 'classes'>> = fc.record({
  discardCancelled: fc.boolean(),
  discardFailed: fc.boolean(),
  discardFinished: fc.boolean(),
  discardSubsumed: fc.boolean(),
  discardSuspended: fc.boolean(),
  forced: fc.boolean(),
  unclaimed: fc.boolean(),
  snapshotType,
});
const trailer = fc.option(propertiesViewArb, { nil: null, freq: 8 }).map((view) => {
  const raw = writeCheckpointProperties(view);
  return { raw, view: readCheckpointProperties(raw) };
});

export const dialectArb: fc.Arbitrary<Dialect> = fc.record({
  changelog: fc.constantFrom('release' as const, 'flink-1.15-dev' as const, 'flink-1.14' as const),
  channelSubtaskIndex: fc.boolean(),
});

/** A valid model of the given version (any version when omitted) plus its dialect. */
export function metadataArb(version?: number): fc.Arbitrary<Generated> {
  const versionArb = version === undefined ? fc.integer({ min: 1, max: 7 }) : fc.constant(version);
  return fc.tuple(versionArb, dialectArb).chain(([v, dialect]) => {
    const ctx: Ctx = { version: v, dialect };
    return fc
      .record({
        checkpointId: v >= 2 ? fc.bigInt({ min: 0n, max: (1n << 63n) - 1n }) : long,
        masterStates: v >= 2 ? fc.array(masterState, { maxLength: 2 }) : fc.constant<MasterState[]>([]),
        operators: fc.array(operator(ctx), { maxLength: 3 }),
        properties: v >= 4 ? trailer : fc.constant(undefined),
      })
      .map(({ properties, ...rest }) => {
        const meta: CheckpointMetadata = { version: v, ...rest };
        if (properties) meta.properties = properties;
        return { meta, dialect };
      });
  });
}
