#!/usr/bin/env node
// Writes schemas/checkpoint.schema.json: the JSON Schema (draft 2020-12) of the JSON form of the
// model (packages/format/src/json.ts). Kept as code because the handle unions repeat a pattern.
// `--stdout` prints it instead, `--check` exits 1 when the tracked file differs (writes nothing).
import { readFileSync, writeFileSync } from 'node:fs';

const long = { $ref: '#/$defs/long' };
const int = { type: 'integer', minimum: -2147483648, maximum: 2147483647 };
const str = { type: 'string' };
const bytes = { $ref: '#/$defs/bytes' };
const longs = { type: 'array', items: long };
const ref = (n) => ({ $ref: `#/$defs/${n}` });
const nullable = (n) => ({ oneOf: [ref(n), { type: 'null' }] });
const arr = (s) => ({ type: 'array', items: s });

/** An object with exactly these properties; `opt` lists the optional ones. */
function obj(props, opt = [], description) {
  const o = {
    type: 'object',
    properties: props,
    required: Object.keys(props).filter((k) => !opt.includes(k)),
    additionalProperties: false,
  };
  if (description) o.description = description;
  return o;
}
const kind = (k) => ({ const: k });

const defs = {
  long: { type: 'string', pattern: '^-?[0-9]{1,19}$', description: 'a Java long as a decimal string' },
  bytes: { type: 'string', contentEncoding: 'base64', pattern: '^[A-Za-z0-9+/]*={0,2}$' },
  keyGroupRange: obj({ start: int, count: { type: 'integer', minimum: 0, maximum: 2147483647 } }),
  // stream handles
  byteStream: obj({ kind: kind('byteStream'), name: str, data: bytes }, [], 'tag 1: inline state'),
  file: obj({ kind: kind('file'), path: str, size: long }, [], 'tag 2: absolute file'),
  relativeFile: obj({ kind: kind('relativeFile'), relativePath: str, size: long }, [], 'tag 6: relative to _metadata'),
  segmentFile: obj(
    { kind: kind('segmentFile'), startPos: long, size: long, scope: { enum: [0, 1] }, physicalPath: str, logicalFileId: str },
    [],
    'tag 15: segment of a merged file',
  ),
  emptySegmentFile: obj({ kind: kind('emptySegmentFile') }, [], 'tag 16'),
  streamHandle: {
    oneOf: ['byteStream', 'file', 'relativeFile', 'segmentFile', 'emptySegmentFile', 'keyGroups'].map(ref),
  },
  // keyed handles
  keyGroups: obj(
    { kind: kind('keyGroups'), keyGroupRange: ref('keyGroupRange'), offsets: longs, delegate: ref('streamHandle'), stateHandleId: str },
    ['stateHandleId'],
    'tags 3 / 12 (12 carries stateHandleId)',
  ),
  savepointKeyGroups: obj(
    { kind: kind('savepointKeyGroups'), keyGroupRange: ref('keyGroupRange'), offsets: longs, delegate: ref('streamHandle') },
    [],
    'tag 7: canonical savepoint keyed state',
  ),
  handleAndLocalPath: obj({ localPath: str, handle: ref('streamHandle') }),
  incremental: obj(
    {
      kind: kind('incremental'),
      checkpointId: long,
      backendId: str,
      keyGroupRange: ref('keyGroupRange'),
      checkpointedSize: long,
      metaStateHandle: ref('streamHandle'),
      sharedState: arr(ref('handleAndLocalPath')),
      privateState: arr(ref('handleAndLocalPath')),
      stateHandleId: str,
    },
    ['checkpointedSize', 'stateHandleId'],
    'tags 5 / 11 (11 carries checkpointedSize and stateHandleId)',
  ),
  changelog: obj(
    {
      kind: kind('changelog'),
      keyGroupRange: ref('keyGroupRange'),
      checkpointedSize: long,
      materialized: arr(nullable('keyedHandle')),
      nonMaterialized: arr(ref('keyedHandle')),
      materializationId: long,
      checkpointId: long,
      stateHandleId: str,
    },
    ['checkpointedSize', 'materializationId', 'checkpointId', 'stateHandleId'],
    'tags 8 / 14',
  ),
  inMemoryChangelog: obj(
    {
      kind: kind('inMemoryChangelog'),
      keyGroupRange: ref('keyGroupRange'),
      from: long,
      to: long,
      changes: arr(obj({ keyGroup: int, data: bytes })),
      stateHandleId: str,
    },
    ['stateHandleId'],
    'tag 9',
  ),
  changelogFile: obj(
    {
      kind: kind('changelogFile'),
      keyGroupRange: ref('keyGroupRange'),
      segments: arr(obj({ offset: long, handle: ref('streamHandle') })),
      stateSize: long,
      checkpointedSize: long,
      stateHandleId: str,
      storageIdentifier: str,
    },
    ['checkpointedSize', 'stateHandleId', 'storageIdentifier'],
    'tags 10 / 13',
  ),
  keyedHandle: {
    oneOf: ['keyGroups', 'savepointKeyGroups', 'incremental', 'changelog', 'inMemoryChangelog', 'changelogFile'].map(ref),
  },
  // operator handles
  operatorStateEntry: obj({ name: str, mode: { enum: ['SPLIT_DISTRIBUTE', 'UNION', 'BROADCAST'] }, offsets: longs }),
  operatorStream: obj(
    { kind: kind('operatorStream'), states: arr(ref('operatorStateEntry')), delegate: ref('streamHandle') },
    [],
    'tag 4',
  ),
  fileMergingOperatorStream: obj(
    {
      kind: kind('fileMergingOperatorStream'),
      states: arr(ref('operatorStateEntry')),
      taskOwnedDir: str,
      sharedDir: str,
      isEmpty: { type: 'boolean' },
      isEmptyRaw: { type: 'integer', minimum: 2, maximum: 255 },
      delegate: ref('streamHandle'),
    },
    ['isEmptyRaw'],
    'tag 17',
  ),
  operatorHandle: { oneOf: ['operatorStream', 'fileMergingOperatorStream'].map(ref) },
  // channel state
  inputChannel: obj(
    { kind: kind('inputChannel'), subtaskIndex: int, gateIndex: int, inputChannelIndex: int, offsets: longs, stateSize: long, delegate: ref('streamHandle') },
    ['subtaskIndex'],
  ),
  resultSubpartition: obj(
    { kind: kind('resultSubpartition'), subtaskIndex: int, partitionIndex: int, subpartitionIndex: int, offsets: longs, stateSize: long, delegate: ref('streamHandle') },
    ['subtaskIndex'],
  ),
  mergedChannels: {
    type: 'object',
    properties: {
      kind: { enum: ['mergedInputChannels', 'mergedResultSubpartitions'] },
      subtaskIndex: int,
      stateSize: long,
      delegate: ref('streamHandle'),
      channels: arr(obj({ infoA: int, infoB: int, stateSize: long, offsets: longs })),
    },
    required: ['kind', 'subtaskIndex', 'stateSize', 'delegate', 'channels'],
    additionalProperties: false,
  },
  // records
  subtask: obj(
    {
      index: int,
      finished: { const: true },
      managedOperatorState: nullable('operatorHandle'),
      rawOperatorState: nullable('operatorHandle'),
      managedKeyedState: nullable('keyedHandle'),
      rawKeyedState: nullable('keyedHandle'),
      inputChannelState: arr({ oneOf: [ref('inputChannel'), ref('mergedChannels')] }),
      resultSubpartitionState: arr({ oneOf: [ref('resultSubpartition'), ref('mergedChannels')] }),
      legacy: obj({ duration: long, legacyOperatorState: arr(nullable('streamHandle')) }),
      chain: obj({ managed: arr(nullable('operatorHandle')), raw: arr(nullable('operatorHandle')) }),
      operatorStateFlagsRaw: { type: 'array', items: int, minItems: 2, maxItems: 2 },
      refCheckpointId: long,
      refMarkerRaw: { type: 'integer', minimum: 2, maximum: 255 },
    },
    ['finished', 'legacy', 'chain', 'operatorStateFlagsRaw', 'refCheckpointId', 'refMarkerRaw'],
  ),
  operator: obj(
    {
      operatorId: { type: 'string', pattern: '^[0-9a-fA-F]{32}$' },
      name: { type: 'string', minLength: 1 },
      uid: { type: 'string', minLength: 1 },
      parallelism: int,
      maxParallelism: int,
      chainLength: int,
      coordinatorState: nullable('byteStream'),
      finishedMarker: { type: 'integer', minimum: -2147483648, maximum: -1 },
      subtasks: arr(ref('subtask')),
    },
    ['name', 'uid', 'chainLength', 'finishedMarker'],
  ),
  masterState: obj({ name: str, version: int, payload: bytes }),
  properties: {
    type: 'object',
    description: 'the Java-serialized CheckpointProperties; `view` is informative (recomputed from raw)',
    properties: { raw: bytes, view: { type: ['object', 'null'] } },
    required: ['raw'],
    additionalProperties: false,
  },
};

const schema = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://ckpt.dev/schemas/checkpoint.schema.json',
  title: 'Flink checkpoint metadata (ckpt JSON form)',
  description:
    'The JSON form of @ckpt/format CheckpointMetadata: Java longs as decimal strings, bytes as base64, absent optional fields omitted. Generated by scripts/checkpoint-schema.mjs.',
  type: 'object',
  properties: {
    version: { type: 'integer', minimum: 1, maximum: 7 },
    checkpointId: long,
    masterStates: arr(ref('masterState')),
    operators: arr(ref('operator')),
    properties: ref('properties'),
    input: {
      type: 'object',
      description: 'informative: size, sha256 and name of the decoded input',
      properties: { byteLength: { type: 'integer' }, sha256: str, file: str },
      additionalProperties: false,
    },
  },
  required: ['version', 'checkpointId', 'masterStates', 'operators'],
  additionalProperties: false,
  $defs: defs,
};

const target = new URL('../schemas/checkpoint.schema.json', import.meta.url);
const text = JSON.stringify(schema, null, 2) + '\n';
if (process.argv.includes('--stdout')) {
  process.stdout.write(text);
} else if (process.argv.includes('--check')) {
  if (readFileSync(target, 'utf8') !== text) {
    console.error('schemas/checkpoint.schema.json is not what scripts/checkpoint-schema.mjs generates: run pnpm gen:schemas');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
}
