/**
 * What each Flink release writes and reads, as data: one table per minor release. The checker
 * (`check.ts`) compares the tables of the releases that could have written a snapshot with the
 * table of the target; nothing below is a code path. Sources: `../shared/spec/upgrade-compat.md`
 * (Flink's source at the named classes); entries marked `inferred` are readings of the code that
 * no Flink message states.
 */

/** A snapshot class (exact name, or a package prefix ending in `.`) a release does not have. */
export interface MissingClass {
  match: string;
  /** Why it is gone (issue, commit). */
  why: string;
  action: string;
}

/** An operator-state name no operator of the release reads any more. */
export interface UnreadOperatorState {
  name: string;
  /** Who wrote it. */
  writer: string;
  why: string;
  action: string;
}

export interface Release {
  /** `major.minor`. */
  minor: string;
  /**
   * `_metadata`: the version this release writes, the versions its registry knows, and those
   * it knows only to refuse (V1 since 1.11: `MetadataV1Serializer`).
   */
  metadata: { writes: number; reads: readonly number[]; refuses?: readonly number[] };
  /** Handle type codes its `MetadataV2V3SerializerBase` knows (reads and may write). */
  handleCodes: readonly number[];
  /**
   * `KeyedBackendSerializationProxy`: written version, compatible versions (Flink's order), and
   * the text Flink appends to its version-mismatch message.
   */
  keyedProxy: { writes: number; reads: readonly number[]; hint?: string };
  /** `OperatorBackendSerializationProxy`: written version, compatible versions (Flink's order). */
  operatorProxy: { writes: number; reads: readonly number[] };
  /** Whether legacy `TypeSerializerConfigSnapshot`s (envelope format 1, adapter version) still restore. */
  legacyConfigSnapshots: boolean;
  /** Major version of the Kryo library behind `KryoSerializer`. */
  kryo: 2 | 5;
  /** `java.util.List/Set/Map/Collection` typed values: Kryo (generic type) or Flink's nullable collection serializers. */
  collections: 'kryo' | 'nullable';
  /** RocksDB (FRocksDB) version of the RocksDB state backend. */
  rocksdb: string;
  /** Per state backend of the new job: turning TTL on/off for an existing keyed state restores (no StateMigrationException). */
  ttlToggle: Record<Backend, boolean>;
  missingClasses: readonly MissingClass[];
  unreadOperatorStates: readonly UnreadOperatorState[];
}

/** Keyed state backends, as `state.backend.type` names them. */
export const BACKENDS = ['hashmap', 'rocksdb', 'forst'] as const;
export type Backend = (typeof BACKENDS)[number];

const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);

const TO_1_16_FIRST =
  'Upgrade in two steps: restore on Flink 1.16, take a new savepoint there, then restore that on the target.';
const REWRITE_OR_DROP =
  'rewrite the state on 1.x into types with Flink serializers (State Processor API, or change the types and take a new savepoint on 1.x), or drop it: give the operator a new uid and restore with --allowNonRestoredState';

/** Classes 1.x wrote that Flink 2.0 removed (FLINK-29741, FLINK-36308, FLINK-30614, FLINK-36311). */
const REMOVED_IN_2_0: readonly MissingClass[] = [
  {
    match: 'org.apache.flink.api.scala.',
    why: 'the Scala DataStream API (flink-scala) was removed in 2.0 (FLINK-29741, FLIP-265); the copies in flink-table-api-scala have other class names',
    action: `No official path: ${REWRITE_OR_DROP}.`,
  },
  {
    match: 'org.apache.flink.streaming.api.functions.sink.TwoPhaseCommitSinkFunction$StateSerializerSnapshot',
    why: 'TwoPhaseCommitSinkFunction moved to the internal package ...sink.legacy in 2.0',
    action: 'Move the sink to Sink V2 (its own state names); give the operator a new uid and restore with --allowNonRestoredState after committing or aborting pending transactions.',
  },
  ...['org.apache.flink.cep.nfa.NFA$MigratedNFASerializerSnapshot', 'org.apache.flink.cep.nfa.SharedBuffer$SharedBufferSerializerSnapshot', 'org.apache.flink.cep.nfa.sharedbuffer.SharedBufferNode$SharedBufferNodeSerializer$SharedBufferNodeSerializerSnapshot'].map(
    (match): MissingClass => ({
      match,
      why: 'legacy CEP snapshot classes were removed in 2.0 (FLINK-36308); 1.20 writes SharedBufferNodeSerializerSnapshotV2',
      action: 'Restore on Flink 1.20 first and take a new savepoint there (it writes the current CEP snapshots), then upgrade.',
    }),
  ),
  ...['org.apache.flink.api.common.typeutils.base.GenericArraySerializerConfigSnapshot', 'org.apache.flink.api.java.typeutils.runtime.EitherSerializerSnapshot'].map(
    (match): MissingClass => ({
      match,
      why: 'deprecated snapshot classes were removed in 2.0 (FLINK-30614)',
      action: 'Restore on Flink 1.20 first and take a new savepoint there (it writes the current snapshot classes), then upgrade.',
    }),
  ),
  {
    match: 'org.apache.flink.formats.avro.typeutils.AvroSerializer$AvroSchemaSerializerConfigSnapshot',
    why: 'removed in 2.0 (FLINK-36311)',
    action: 'Restore on Flink 1.20 first and take a new savepoint there (it writes AvroSerializerSnapshot), then upgrade.',
  },
];

const KAFKA_ACTION =
  'Commit the offsets to Kafka (the legacy consumer does on checkpoints), give the source a new uid and start with --allowNonRestoredState; KafkaSource then starts from the committed offsets (Kafka connector docs, "Upgrading to the Latest Connector Version").';

/** Operator-state names of connectors deleted for 2.x (Kafka connector 4.x, FLINK-36848). */
const UNREAD_IN_2_0: readonly UnreadOperatorState[] = [
  {
    name: 'topic-partition-offset-states',
    writer: 'FlinkKafkaConsumer (legacy Kafka source)',
    why: 'FlinkKafkaConsumer was deleted in Kafka connector 4.x for Flink 2.x; KafkaSource does not read this state (inferred: kept under the same uid, the offsets are dropped without an error)',
    action: KAFKA_ACTION,
  },
  ...['next-transactional-id-hint', 'next-transactional-id-hint-v2'].map(
    (name): UnreadOperatorState => ({
      name,
      writer: 'FlinkKafkaProducer (legacy Kafka sink)',
      why: 'FlinkKafkaProducer was deleted in Kafka connector 4.x for Flink 2.x; KafkaSink does not read this state (inferred)',
      action: 'Stop the job with a savepoint so pending transactions commit, give the sink a new uid and start with --allowNonRestoredState.',
    }),
  ),
];

const V1_16: Release = {
  minor: '1.16',
  metadata: { writes: 4, reads: range(1, 4), refuses: [1] },
  handleCodes: range(0, 14),
  keyedProxy: { writes: 6, reads: [6, 5, 4, 3, 2, 1] },
  operatorProxy: { writes: 5, reads: [5, 4, 3, 2, 1] },
  legacyConfigSnapshots: true,
  kryo: 2,
  collections: 'kryo',
  rocksdb: '6.20.3',
  ttlToggle: { hashmap: false, rocksdb: false, forst: false },
  missingClasses: [],
  unreadOperatorStates: [],
};
const V1_15: Release = { ...V1_16, minor: '1.15', metadata: { writes: 3, reads: range(1, 3), refuses: [1] }, handleCodes: range(0, 12) };
/** 1.17 drops pre-1.8 savepoints and TypeSerializerConfigSnapshot (FLINK-29807). */
const V1_17: Release = {
  ...V1_16,
  minor: '1.17',
  keyedProxy: {
    writes: 6,
    reads: [6],
    hint:
      "Since 1.17 Flink doesn't support recovery from pre Flink 1.8 savepoints. Please migrate in two steps. First to Flink 1.16 and then upgrade to the desired Flink version.",
  },
  legacyConfigSnapshots: false,
};
/** 1.18 writes operator proxy 6 (FLINK-30113: snapshot compression for operator state). */
const V1_18: Release = { ...V1_17, minor: '1.18', operatorProxy: { writes: 6, reads: [6, 5, 4, 3, 2, 1] } };
const V1_19: Release = { ...V1_18, minor: '1.19' };
/** 1.20 adds the file-merging handles 15–17 (FLINK-32079). */
const V1_20: Release = { ...V1_19, minor: '1.20', handleCodes: range(0, 17) };
/** 2.0: metadata V5, Kryo 5, no Scala API, Flink's collection serializers, RocksDB 8.10. */
const V2_0: Release = {
  ...V1_20,
  minor: '2.0',
  metadata: { writes: 5, reads: range(1, 5), refuses: [1] },
  kryo: 5,
  collections: 'nullable',
  rocksdb: '8.10.0',
  missingClasses: REMOVED_IN_2_0,
  unreadOperatorStates: UNREAD_IN_2_0,
};
/** 2.1: metadata V6; TTL may be switched on/off for RocksDB state (FLINK-35780 under FLINK-32955; docs state_migration.md; 2.0 fails it in real Flink). */
const V2_1: Release = { ...V2_0, minor: '2.1', metadata: { writes: 6, reads: range(1, 6), refuses: [1] }, ttlToggle: { hashmap: false, rocksdb: true, forst: false } };
/** 2.2: TTL may be switched on/off for heap state too (FLINK-37294; FLINK-36521 is 2.0's TtlAwareSerializer). ForSt: no migration known (untested: 2.3's ForSt does not restore canonical savepoints). */
const V2_2: Release = { ...V2_1, minor: '2.2', ttlToggle: { hashmap: true, rocksdb: true, forst: false } };
const V2_3: Release = { ...V2_2, minor: '2.3' };

/**
 * Releases before 1.15, only to tell which release wrote a snapshot (what they write; their
 * reading side is not a supported target). Proxy versions before 1.7 are inferred from the
 * release branches' `VERSION` constants.
 */
const older = (minor: string, metadata: number, codes: number, keyed: number, operator: number): Release => ({
  ...V1_15,
  minor,
  metadata: { writes: metadata, reads: range(1, metadata) },
  handleCodes: range(0, codes),
  keyedProxy: { writes: keyed, reads: range(1, keyed).reverse() },
  operatorProxy: { writes: operator, reads: range(1, operator).reverse() },
  rocksdb: Number(minor.split('.')[1]) <= 13 ? '5.17.2' : '6.20.3',
});

/** Every release ckpt knows, oldest first. Targets are 1.15 and newer. */
export const RELEASES: readonly Release[] = [
  older('1.2', 1, 4, 3, 2),
  older('1.3', 2, 5, 3, 2),
  older('1.4', 2, 5, 4, 2),
  older('1.5', 2, 5, 4, 3),
  older('1.6', 2, 5, 5, 4),
  older('1.7', 2, 5, 6, 5),
  older('1.8', 2, 5, 6, 5),
  older('1.9', 2, 5, 6, 5),
  older('1.10', 2, 5, 6, 5),
  older('1.11', 3, 6, 6, 5),
  older('1.12', 3, 6, 6, 5),
  older('1.13', 3, 7, 6, 5),
  older('1.14', 3, 10, 6, 5),
  V1_15,
  V1_16,
  V1_17,
  V1_18,
  V1_19,
  V1_20,
  V2_0,
  V2_1,
  V2_2,
  V2_3,
];

/** The newest 2.x release with rules (what `--to 2.x`, `latest` and `--latest` mean). */
export const LATEST = V2_3.minor;

/** Targets `upgradeCheck` accepts. */
export const TARGETS: readonly string[] = RELEASES.filter((r) => compareMinor(r.minor, '1.15') >= 0).map((r) => r.minor);

export function compareMinor(a: string, b: string): number {
  const [am, an] = a.split('.').map(Number) as [number, number];
  const [bm, bn] = b.split('.').map(Number) as [number, number];
  return am - bm || an - bn;
}

export function release(minor: string): Release | undefined {
  return RELEASES.find((r) => r.minor === minor);
}
