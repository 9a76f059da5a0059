import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { Storages } from '@ckpt/storage';
import { loadCheckpointState } from '../src/node/index.js';
import { javaKeyOf, keyGroupOfKey, KeyedStateFile, mergeKeyedHeaders, operatorEntries, describeSnapshot, readRawKeyedTimers, StateError, verifyStateFiles, type KeyedStateEntry, type OperatorEntryItem } from '../src/index.js';
import { CORPUS_DIR, HAVE_CORPUS } from '../../format/test/support/corpus.js';
import { SCALA_MIGRATION_JOB_TYPES } from './support.js';

// Savepoints of Flink 1.2–1.6 from Flink's own migration tests (third-party corpus, read in place).
// What their jobs wrote is in Flink's test sources: operatorstate/KeyedJob (1.2), the Scala
// StatefulJobSavepointMigrationITCase / StatefulJobWBroadcastStateMigrationITCase, the Java
// StatefulJob(WBroadcastState)SavepointMigrationITCase, NonKeyedJob, flink-state-evolution-test.
if (!HAVE_CORPUS) console.log(`flink corpus not found at ${CORPUS_DIR}: legacy state-file tests skipped`);
const corpusTest = (dir: string) => test.skipIf(!existsSync(join(CORPUS_DIR, dir, '_metadata')));

type Item = OperatorEntryItem & Record<string, unknown>;

async function dump(dir: string, operatorId: string): Promise<Item[]> {
  const storages = new Storages();
  try {
    const { metadata, resolver } = await loadCheckpointState(join(CORPUS_DIR, dir, '_metadata'), { storages });
    const op = metadata.operators.find((o) => o.operatorId === operatorId)!;
    const out: Item[] = [];
    for await (const e of operatorEntries(op, resolver, {})) out.push(e as Item);
    return out;
  } finally {
    await storages.close();
  }
}

async function keyedHeaders(dir: string, operatorId: string) {
  const storages = new Storages();
  try {
    const { metadata, resolver } = await loadCheckpointState(join(CORPUS_DIR, dir, '_metadata'), { storages });
    const op = metadata.operators.find((o) => o.operatorId === operatorId)!;
    const files: KeyedStateFile[] = [];
    for (const s of op.subtasks) {
      const h = s.managedKeyedState;
      if (h && (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups')) files.push(await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism }));
    }
    return { op, files };
  } finally {
    await storages.close();
  }
}

const byState = (items: Item[], state: string) => items.filter((e) => e.state === state);

describe('keyed backend proxy version 1 (Flink 1.2: Java-serialized serializers, namespace-grouped heap body)', () => {
  corpusTest('0542')('KeyedJob: the count window\'s list state "values" holds [x] under key Tuple1(x), in the key group of x', async () => {
    const op = '01203aa9a12dc1ec725e03853dd7c8f2';
    const { files } = await keyedHeaders('0542', op);
    expect(files[0]!.header.version).toBe(1);
    expect(describeSnapshot(files[0]!.header.keySerializer)).toBe('Tuple1<Int>');
    const values = byState(await dump('0542', op), 'values');
    // IntegerTupleSource emits (x, x) for x in 0..9; keyBy(0).countWindow(1) adds x to "values"
    expect(values.map((e) => [e.key, e.value]).sort((a, b) => (a[0] as number[])[0]! - (b[0] as number[])[0]!)).toEqual(
      Array.from({ length: 10 }, (_, x) => [[x], [x]]),
    );
    const toJava = javaKeyOf(files[0]!.header.keySerializer);
    for (const e of values) expect(keyGroupOfKey(toJava, e.key, 128)).toBe(e.keyGroup);
    expect(values.every((e) => e.namespace === null && e.stateKind === 'LIST')).toBe(true);
  });
});

// Scala StatefulFlatMapper: for input (k, k): caseClassState (k, 2k), tryState Success((k, 5k)),
// tryFailureState Failure(RuntimeException), eitherRightState Right(3k), enumOneState THREE, …
const scalaVersions: [string, number][] = [
  ['0610', 3], // 1.3 "rocksdb" savepoint (heap key-group format)
  ['0611', 4], // 1.4 jobmanager savepoint
  ['0613', 5], // 1.6 jobmanager savepoint
  ['0835', 3], // 1.3, Scala 2.10: the Enumeration's config (v1) names it only by class, its constants come from the Java-serialized serializer
];
describe('keyed backend proxy versions 3, 4, 5 (Flink 1.3–1.6: serializer and config pairs with resilience)', () => {
  for (const [dir, version] of scalaVersions) {
    corpusTest(dir)(`corpus ${dir}: the Scala job's case class, Option, Try, Either, Enumeration and List states (proxy v${version})`, async () => {
      const op = 'd1392353922252257afa15351a98bae9';
      const { files } = await keyedHeaders(dir, op);
      expect(files[0]!.header.version).toBe(version);
      expect(Object.fromEntries(files[0]!.header.states.map((s) => [s.name, describeSnapshot(s.serializers.find(([k]) => k === 'VALUE_SERIALIZER')![1])]))).toMatchObject(SCALA_MIGRATION_JOB_TYPES);
      const enumSnap = files[0]!.header.states.find((s) => s.name === 'enumOneState')!.serializers.find(([k]) => k === 'VALUE_SERIALIZER')![1];
      expect(enumSnap.config).toEqual({ kind: 'scalaEnum', enumClass: 'org.apache.flink.api.scala.migration.CustomEnum$', constants: ['ONE', 'TWO', 'THREE', 'FOUR'].map((name, id) => ({ name, id })) });
      const items = await dump(dir, op);
      const keys = [...new Set(byState(items, 'caseClassState').map((e) => e.key as bigint))].sort((a, b) => Number(a - b));
      expect(keys.length).toBeGreaterThan(3);
      const at = (state: string, k: bigint) => byState(items, state).find((e) => e.key === k)?.value;
      for (const k of keys) {
        expect(at('caseClassState', k)).toEqual([`${k}`, 2n * k]);
        expect(at('caseClassWithNestingState', k)).toEqual([k, [`${k}`, 2n * k]]);
        expect(at('collectionState', k)).toEqual([[`${k}`, 2n * k]]);
        expect(at('tryState', k)).toEqual({ kind: 'success', value: [`${k}`, 5n * k] });
        expect(at('optionState', k)).toEqual({ kind: 'some', value: [`${k}`, 2n * k] });
        expect(at('optionNoneState', k)).toEqual({ kind: 'none' });
        expect(at('eitherLeftState', k)).toEqual({ kind: 'left', value: [`${k}`, 2n * k] });
        expect(at('eitherRightState', k)).toEqual({ kind: 'right', value: `${3n * k}` });
        expect(at('enumOneState', k)).toMatchObject({ kind: 'scalaEnum', name: 'THREE', id: 2 });
        expect(at('tryFailureState', k)).toMatchObject({ kind: 'failure', throwable: { kind: 'kryo', class: 'java.lang.RuntimeException', exception: { class: 'java.lang.RuntimeException', message: null } } });
      }
      // the source's operator list state: the case class ("Here be dragons!", 123)
      const source = await dump(dir, '4df504eeb6a1733fdcdc90f79c5fcb20');
      expect(source.map((e) => e.value)).toEqual([['Here be dragons!', 123n]]);
    });
  }

  corpusTest('0683')('corpus 0683 (1.3, proxy v3): the Java job\'s Tuple1<Long> keys, Long values and Long namespaces', async () => {
    const { files } = await keyedHeaders('0683', 'a4996af65a2244bbdc67412e4f681060');
    expect(files[0]!.header.version).toBe(3);
    const items = await dump('0683', 'a4996af65a2244bbdc67412e4f681060');
    const values = byState(items, 'state-name');
    expect(values.map((e) => [e.key, e.namespace, e.value]).sort()).toEqual([0n, 1n, 2n, 3n].map((k) => [[k], k, k]));
  });
});

describe('timers in raw keyed state (Flink ≤ 1.x heap timers)', () => {
  corpusTest('0683')('corpus 0683 (1.3): the TimelyStatefulOperator\'s "timer" service — event time at watermark + 10, processing time, namespace = key', async () => {
    const storages = new Storages();
    try {
      const { metadata, resolver } = await loadCheckpointState(join(CORPUS_DIR, '0683', '_metadata'), { storages });
      const timers: KeyedStateEntry[] = [];
      for (const op of metadata.operators.filter((o) => o.operatorId === 'a4996af65a2244bbdc67412e4f681060')) {
        for (const s of op.subtasks) {
          const h = s.rawKeyedState;
          if (h?.kind === 'keyGroups') timers.push(...(await readRawKeyedTimers(h, resolver.resolve(h.delegate))));
        }
        // the same bytes are no timers when read as raw keyed state: the managed keyed stream is refused
        const managed = op.subtasks[1]!.managedKeyedState!;
        if (managed.kind !== 'keyGroups') throw new Error('expected a key-groups handle');
        await expect(readRawKeyedTimers(managed, resolver.resolve(managed.delegate))).rejects.toBeInstanceOf(StateError);
      }
      const event = timers.filter((t) => t.state === '_timer_state/event_timer').map((t) => t.value as { key: bigint[]; namespace: bigint; timestamp: bigint });
      const processing = timers.filter((t) => t.state === '_timer_state/processing_timer').map((t) => t.value as { key: bigint[]; namespace: bigint; timestamp: bigint });
      expect(event.map((t) => [t.key, t.namespace, t.timestamp]).sort()).toEqual([0n, 1n, 2n, 3n].map((k) => [[k], k, -(1n << 63n) + 10n]));
      expect(processing.map((t) => [t.key, t.namespace]).sort()).toEqual([0n, 1n, 2n, 3n].map((k) => [[k], k]));
      // currentProcessingTime() + 30 s of a run on 2 June 2017
      for (const t of processing) expect(new Date(Number(t.timestamp)).toISOString().slice(0, 10)).toBe('2017-06-02');
    } finally {
      await storages.close();
    }
  });
});

describe('operator backend proxy versions 2, 3, 4 (Flink 1.3–1.6)', () => {
  corpusTest('0785')('corpus 0785 (1.4, proxy v2): NonKeyedJob\'s Java-serialized list state', async () => {
    const items = await dump('0785', '6730ef7375fb60f9d9bbdfdfd174d803');
    expect(items.map((e) => [e.subtask, e.state, e.mode])).toEqual([0, 1, 2, 3].map((i) => [i, '_default_', 'SPLIT_DISTRIBUTE']));
    // NonKeyedJob's ListCheckpointed<String>: "second" + subtask index, Java-serialized by JavaSerializer
    expect(items.map((e) => e.value)).toEqual([0, 1, 2, 3].map((i) => `second${i}`));
  });

  for (const [dir, version] of [['0675', 3], ['0668', 4]] as const) {
    corpusTest(dir)(`corpus ${dir} (proxy v${version}): broadcast states Long → Long and String → String, 0..3`, async () => {
      const items = await dump(dir, 'c01997dd69890f74ab92174f0d6e3ca2');
      // the Scala job puts (k, k) and (k.toString, k.toString) for k in 0..3, on every subtask
      for (const subtask of [0, 1, 2, 3]) {
        const of = (state: string) => byState(items, state).filter((e) => e.subtask === subtask).map((e) => [e.key, e.value]);
        expect(of('broadcast-state-1')).toEqual([0n, 1n, 2n, 3n].map((k) => [k, k]));
        expect(of('broadcast-state-2')).toEqual(['0', '1', '2', '3'].map((k) => [k, k]));
      }
    });
  }

  corpusTest('0722')('corpus 0722 (1.6, proxy v4): union list state of strings; broadcast states Long → String, String → Long', async () => {
    const union = await dump('0722', '1f2b5df5a66154aca61fcb26193792be');
    expect(union.map((e) => [e.mode, e.value])).toEqual(
      ['Here be dragons!', 'Here be more dragons!', 'Here be yet more dragons!', 'Here be the mostest dragons!'].map((v) => ['UNION', v]),
    );
    // StatefulJobWBroadcastStateMigrationITCase's expected{First,Second,Third}State
    const third = byState(await dump('0722', '56a26c4c54bda3adf3700194db4afe93'), 'broadcast-state-3').filter((e) => e.subtask === 0);
    expect(third.map((e) => [e.key, e.value])).toEqual([0n, 1n, 2n, 3n].map((k) => [k, `${k}`]));
    const both = await dump('0722', '12d7d939fd56473cac7cff0603179a41');
    expect(byState(both, 'broadcast-state-1').filter((e) => e.subtask === 0).map((e) => [e.key, e.value])).toEqual([0n, 1n, 2n, 3n].map((k) => [k, k]));
    expect(byState(both, 'broadcast-state-2').filter((e) => e.subtask === 0).map((e) => [e.key, e.value])).toEqual([0n, 1n, 2n, 3n].map((k) => [`${k}`, k]));
  });
});

describe('1.7 serializer snapshots and refusals', () => {
  corpusTest('0696')('corpus 0696 (1.7, flink-state-evolution-test): the old EitherSerializerSnapshot reads as Either<String, Boolean>', async () => {
    const { files } = await keyedHeaders('0696', '46fe65c20d95ac360c296fef8820108c');
    const either = files[0]!.header.states.find((s) => s.name === 'either-state')!;
    expect(describeSnapshot(either.serializers.find(([k]) => k === 'VALUE_SERIALIZER')![1])).toBe('Either<String, Boolean>');
    // StatefulStreamingJob.MyStatefulFunction: Either.Left("255"), Tuple2.of("19", 19)
    const items = await dump('0696', '46fe65c20d95ac360c296fef8820108c');
    expect(byState(items, 'either-state').map((e) => e.value)).toEqual([{ kind: 'left', value: '255' }]);
    expect(byState(items, 'tuple-state').map((e) => e.value)).toEqual([['19', 19]]);
  });

  corpusTest('0867')('corpus 0867 (1.3): a test\'s own serializer is refused, naming its class', async () => {
    await expect(dump('0867', '20ba6b65f97481d5570070de90e4e791')).rejects.toMatchObject({
      code: 'UnknownSerializer',
      message: expect.stringContaining('TypeSerializerSnapshotMigrationITCase$TestSerializer'),
    });
  });

  for (const dir of ['0542', '0610', '0611', '0613', '0675', '0722', '0785']) {
    corpusTest(dir)(`verify --deep reads every state header and key-group start of corpus ${dir} without a problem`, async () => {
      const storages = new Storages();
      try {
        const { metadata, resolver } = await loadCheckpointState(join(CORPUS_DIR, dir, '_metadata'), { storages });
        const report = await verifyStateFiles(metadata, resolver);
        expect(report.checks).toBeGreaterThan(0);
        expect(report.problems).toEqual([]);
      } finally {
        await storages.close();
      }
    });
  }

  corpusTest('0683')('re-keying refuses a keyed proxy version below 6, naming it', async () => {
    const { files } = await keyedHeaders('0683', 'b6f2d694289c3a40c7b6f325a615a3cf');
    expect(() => mergeKeyedHeaders(files.map((f) => ({ name: f.source.name, header: f.header })))).toThrow(
      expect.objectContaining({ code: 'UnsupportedVersion', message: expect.stringContaining('keyed backend proxy version 3') }),
    );
  });
});
