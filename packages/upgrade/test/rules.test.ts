import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '@ckpt/format';
import { BACKENDS, RELEASES, SEVERITIES, TARGETS, release, resolveTarget, upgradeCheck, type OperatorFacts, type SerializerUse, type SnapshotFacts, type StateFacts } from '../src/index.js';

const KRYO = 'org.apache.flink.api.java.typeutils.runtime.kryo.KryoSerializerSnapshot';
const SCALA_CASE = 'org.apache.flink.api.scala.typeutils.ScalaCaseClassSerializerSnapshot';
const LONG = 'org.apache.flink.api.common.typeutils.base.LongSerializer$LongSerializerSnapshot';
const TTL = 'org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot';
const STRING = 'org.apache.flink.api.common.typeutils.base.StringSerializer$StringSerializerSnapshot';

function op(states: StateFacts[], o: Partial<OperatorFacts> = {}): OperatorFacts {
  return { operatorId: 'e7beec23fd9f6ed5e1b8395129d43728', uid: 'keyed', keyedProxyVersions: [6], operatorProxyVersions: [], keySerializer: [], states, unread: [], unavailable: [], changelogIncrements: false, ...o };
}

function snapshot(operators: OperatorFacts[], f: Partial<SnapshotFacts> = {}): SnapshotFacts {
  return {
    metadataVersion: 4,
    checkpointId: 1n,
    snapshot: 'savepoint',
    format: 'CANONICAL',
    handleCodes: [{ code: 7, position: 'keyed', operatorId: operators[0]?.operatorId ?? 'x' }, { code: 6, position: 'stream', operatorId: 'x' }],
    channelStateOperators: [],
    nativeOperators: [],
    operators,
    stateFilesRead: true,
    ...f,
  };
}

const use = (path: string, className: string, extra: Partial<SerializerUse> = {}): SerializerUse => ({ path, className, version: 2, ...extra });
const kryo = (path: string, typeClass: string): SerializerUse => use(path, KRYO, { kryo: { typeClass, registrations: [], defaultSerializers: [] } });

describe('rules', () => {
  it('Kryo-serialized values written by 1.x are a warning on 2.x (Kryo 2 -> 5), nothing on 1.x', () => {
    const f = snapshot([op([{ name: 'events', kind: 'keyed', sst: false, serializers: [kryo('value', 'com.example.Event')] }], { keySerializer: [use('key', STRING)] })]);
    const r = upgradeCheck(f, '2.0');
    expect(r.verdict).toBe('warnings');
    expect(r.blocking).toBe(false);
    const k = r.findings.find((x) => x.rule === 'kryo-bytes')!;
    expect(k).toMatchObject({ severity: 'warning', state: 'events', serializer: KRYO, serializerPath: 'value', operator: { uid: 'keyed' }, inferred: true });
    expect(k.message).toContain('com.example.Event');
    expect(k.action).toMatch(/--allowNonRestoredState/);
    expect(upgradeCheck(f, '1.20').findings).toEqual([]);
    // written by 2.x (V5): Kryo 5 both sides
    expect(upgradeCheck({ ...f, metadataVersion: 5 }, '2.3').findings).toEqual([]);
  });

  it('Kryo-serialized java.util collections fail on 2.x with the backend\'s StateMigrationException message', () => {
    const state = (sst: boolean, kind: StateFacts['kind'] = 'keyed'): StateFacts => ({ name: 'lists', kind, sst, serializers: [kryo('value', 'java.util.List')] });
    const heap = upgradeCheck(snapshot([op([state(false)], { keySerializer: [kryo('key', 'com.example.Key')] })]), '2.3');
    expect(heap.verdict).toBe('fails-while-restoring');
    const c = heap.findings.find((x) => x.rule === 'kryo-collection')!;
    expect(c).toMatchObject({ severity: 'fails-while-restoring', state: 'lists', serializerPath: 'value' });
    expect(c.inferred).toBeUndefined();
    expect(c.flinkMessage).toMatch(/^For heap backends, the new state serializer \(org\.apache\.flink\.api\.java\.typeutils\.runtime\.NullableSerializer@…\) must not be incompatible/);
    const key = heap.findings.find((x) => x.serializerPath === 'key')!;
    expect(key).toMatchObject({ rule: 'kryo-bytes', severity: 'warning' });
    expect(key.state).toBeUndefined();
    expect(key.message).toMatch(/key serializer of uid keyed \(all its keyed states\)/);
    const rocks = upgradeCheck(snapshot([op([state(true)])]), '2.0').findings[0]!;
    expect(rocks.flinkMessage).toMatch(/^The new state serializer/);
    const opState = upgradeCheck(snapshot([op([state(false, 'operator')], { keyedProxyVersions: [], operatorProxyVersions: [6] })]), '2.0').findings[0]!;
    expect(opState).toMatchObject({ flinkMessage: 'The new state typeSerializer for operator state must not be incompatible.', inferred: true });
    expect(upgradeCheck(snapshot([op([state(false)])]), '1.20').findings).toEqual([]);
  });

  it('Scala API snapshots are missing classes on 2.x with Flink\'s message', () => {
    const f = snapshot([op([{ name: 'sessions', kind: 'keyed', sst: false, serializers: [use('value', SCALA_CASE), use('value[0]', LONG)] }])]);
    const r = upgradeCheck(f, '2.1');
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({
      severity: 'fails-while-restoring',
      rule: 'missing-class',
      flinkMessage: `Could not find class '${SCALA_CASE}' in classpath.`,
      state: 'sessions',
      serializer: SCALA_CASE,
    });
    expect(upgradeCheck(f, '1.19').verdict).toBe('ok');
  });

  it('legacy Kafka consumer offsets are lost on 2.x', () => {
    const f = snapshot([op([{ name: 'topic-partition-offset-states', kind: 'operator', sst: false, serializers: [] }], { uid: 'kafka-source', keyedProxyVersions: [], operatorProxyVersions: [6] })]);
    const r = upgradeCheck(f, '2.0');
    expect(r.verdict).toBe('loses-state');
    expect(r.findings[0]).toMatchObject({ rule: 'unread-operator-state', state: 'topic-partition-offset-states', operator: { uid: 'kafka-source' } });
    expect(r.findings[0]!.action).toMatch(/new uid/);
    expect(upgradeCheck(f, '1.20').verdict).toBe('ok');
  });

  it('pre-1.8 keyed headers and legacy config snapshots: 1.17+ fails, 1.16 restores', () => {
    const f = snapshot(
      [op([{ name: 's', kind: 'keyed', sst: false, serializers: [use('value', 'com.example.MySerializerConfigSnapshot', { version: 0x7a53c4f0 })] }], { keyedProxyVersions: [5] })],
      { metadataVersion: 3, handleCodes: [{ code: 3, position: 'keyed', operatorId: 'x' }] },
    );
    const r = upgradeCheck(f, '1.17');
    expect(r.findings.map((x) => x.rule).sort()).toEqual(['keyed-proxy-version', 'legacy-serializer-snapshot']);
    const k = r.findings.find((x) => x.rule === 'keyed-proxy-version')!;
    expect(k.flinkMessage).toBe(
      "Incompatible version: found 5, compatible versions are [6]. Since 1.17 Flink doesn't support recovery from pre Flink 1.8 savepoints. Please migrate in two steps. First to Flink 1.16 and then upgrade to the desired Flink version.",
    );
    expect(r.findings.find((x) => x.rule === 'legacy-serializer-snapshot')!.flinkMessage).toContain('TypeSerializerConfigSnapshot and it\'s subclasses are not supported since Flink 1.17');
    expect(upgradeCheck(f, '1.16').blocking).toBe(false);
    expect(upgradeCheck(f, '1.15').blocking).toBe(false);
  });

  it('metadata versions: V1 is refused, V7 is newer than every target', () => {
    const v1 = upgradeCheck(snapshot([], { metadataVersion: 1, handleCodes: [] }), '1.15');
    expect(v1.findings[0]!.flinkMessage).toBe('This savepoint / checkpoint version (Flink 1.1 / 1.2) is no longer supported.');
    const v7 = upgradeCheck(snapshot([], { metadataVersion: 7, handleCodes: [] }), '2.x');
    expect(v7.writers.label).toBe('newer than 2.3');
    expect(v7.findings).toHaveLength(1);
    expect(v7.findings[0]).toMatchObject({ severity: 'refuses', flinkMessage: 'Unrecognized checkpoint version number: 7' });
  });

  it('TTL switched on/off by the new job: blocks where the release table does not allow it for the backend', () => {
    const ttlState: StateFacts = { name: 'sum', kind: 'keyed', sst: false, serializers: [use('value', TTL), use('value[0]', LONG)] };
    const plain: StateFacts = { name: 'count', kind: 'keyed', sst: false, serializers: [use('value', LONG)] };
    const timers: StateFacts = { name: '_timer_state/event_user-timers', kind: 'timers', sst: false, serializers: [use('value', LONG)] };
    const f = snapshot([op([ttlState, plain, timers])], { metadataVersion: 5 });
    const ttlRule = (t: string, o: Parameters<typeof upgradeCheck>[2]) =>
      upgradeCheck(f, t, o).findings.filter((x) => x.rule === 'ttl-toggle').map((x) => `${x.state} ${x.severity}`);
    // not told: only the TTL state is named, as a warning before 2.2
    expect(ttlRule('2.0', {})).toEqual(['sum warning']);
    expect(ttlRule('2.2', {})).toEqual([]);
    // told: every keyed state (not timers), per backend
    expect(ttlRule('2.0', { ttlToggle: true, backend: 'rocksdb' })).toEqual(['sum fails-while-restoring', 'count fails-while-restoring']);
    expect(ttlRule('2.1', { ttlToggle: true, backend: 'rocksdb' })).toEqual(['sum warning', 'count warning']);
    expect(ttlRule('2.1', { ttlToggle: true, backend: 'hashmap' })).toEqual(['sum fails-while-restoring', 'count fails-while-restoring']);
    expect(ttlRule('2.2', { ttlToggle: true, backend: 'hashmap' })).toEqual(['sum warning', 'count warning']);
    expect(ttlRule('2.3', { ttlToggle: true, backend: 'forst' })).toEqual(['sum fails-while-restoring', 'count fails-while-restoring']);
    // backend not known on 2.1 (allowed on one only): blocking, without a Flink message ckpt cannot know
    const unknown = upgradeCheck(f, '2.1', { ttlToggle: ['count'] }).findings.filter((x) => x.rule === 'ttl-toggle' && x.state === 'count');
    expect(unknown.map((x) => [x.state, x.severity, x.flinkMessage])).toEqual([['count', 'fails-while-restoring', undefined]]);
    // Flink's message is quoted where ckpt knows the new serializer: TTL turned on
    const on = upgradeCheck(f, '2.0', { ttlToggle: ['count'], backend: 'hashmap' }).findings.find((x) => x.state === 'count')!;
    expect(on.flinkMessage).toMatch(/^For heap backends, the new state serializer \(org\.apache\.flink\.runtime\.state\.ttl\.TtlStateFactory\$TtlSerializer@…\)/);
    expect(on.message).toContain('hashmap since 2.2, rocksdb since 2.1, never forst');
    expect(() => upgradeCheck(f, '2.3', { ttlToggle: ['nope'] })).toThrow(UsageError);
    expect(() => upgradeCheck(f, '2.3', { ttlToggle: true, backend: 'memory' as never })).toThrow(/unknown state backend/);
  });

  it('targets', () => {
    expect(resolveTarget('2.x')).toBe('2.3');
    expect(resolveTarget('2.x latest')).toBe('2.3');
    expect(resolveTarget('1.20.3')).toBe('1.20');
    expect(TARGETS).toEqual(['1.15', '1.16', '1.17', '1.18', '1.19', '1.20', '2.0', '2.1', '2.2', '2.3']);
    expect(() => resolveTarget('1.14')).toThrow(UsageError);
    expect(() => resolveTarget('three')).toThrow(/targets: 1.15/);
  });
});

const POOL = [LONG, STRING, KRYO, SCALA_CASE, 'org.apache.flink.runtime.state.ttl.TtlStateFactory$TtlSerializerSnapshot', 'org.apache.flink.table.runtime.typeutils.RowDataSerializer$RowDataSerializerSnapshot'];

/** Facts exactly as release `r` writes them (random states and handle codes it knows). */
const written = fc
  .record({
    r: fc.constantFrom(...RELEASES.filter((x) => TARGETS.includes(x.minor))),
    codes: fc.uniqueArray(fc.integer({ min: 1, max: 17 }), { maxLength: 5 }),
    states: fc.array(fc.record({ name: fc.string({ minLength: 1, maxLength: 8 }), kind: fc.constantFrom('keyed', 'operator', 'broadcast', 'timers' as const), sst: fc.boolean(), classes: fc.array(fc.constantFrom(...POOL), { maxLength: 4 }) }), { maxLength: 6 }),
    channel: fc.boolean(),
  })
  .map(({ r, codes, states, channel }) => ({
    r,
    facts: snapshot(
      [
        op(
          states.map((s) => ({ name: s.name, kind: s.kind, sst: s.sst, serializers: s.classes.map((c, i) => (c === KRYO ? kryo(`value[${i}]`, 'java.util.List') : use(`value[${i}]`, c))) })),
          { keyedProxyVersions: [r.keyedProxy.writes], operatorProxyVersions: [r.operatorProxy.writes] },
        ),
      ],
      {
        metadataVersion: r.metadata.writes,
        handleCodes: codes.filter((c) => r.handleCodes.includes(c)).map((code) => ({ code, position: 'keyed' as const, operatorId: 'x' })),
        channelStateOperators: channel ? ['e7beec23fd9f6ed5e1b8395129d43728'] : [],
      },
    ),
  }));

describe('properties', () => {
  it('the writing release restores what it wrote: no refusal, failure or loss', () => {
    fc.assert(
      fc.property(written, ({ r, facts }) => {
        const rep = upgradeCheck(facts, r.minor);
        expect(rep.writers.releases).toContain(r.minor);
        expect(rep.blocking).toBe(false);
      }),
    );
  });

  it('a TTL toggle by the new job blocks exactly where the release table says it is not allowed for its backend', () => {
    fc.assert(
      fc.property(written, fc.constantFrom(...TARGETS), fc.constantFrom(...BACKENDS), ({ facts }, t, backend) => {
        const keyed = facts.operators.flatMap((o) => o.states.filter((x) => x.kind === 'keyed'));
        const rep = upgradeCheck(facts, t, { ttlToggle: true, backend });
        // a refused snapshot is not restored at all: no state is looked at
        if (rep.verdict === 'refuses') return;
        const ttl = rep.findings.filter((x) => x.rule === 'ttl-toggle');
        expect(ttl).toHaveLength(keyed.length);
        const want = release(t)!.ttlToggle[backend] ? 'warning' : 'fails-while-restoring';
        for (const x of ttl) expect(x.severity).toBe(want);
      }),
    );
  });

  it('findings are sorted worst first and the verdict is the worst of them', () => {
    fc.assert(
      fc.property(written, fc.constantFrom(...TARGETS), ({ facts }, t) => {
        const rep = upgradeCheck(facts, t);
        const ranks = rep.findings.map((x) => SEVERITIES.indexOf(x.severity));
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
        expect(rep.blocking).toBe(rep.findings.some((x) => x.severity !== 'warning'));
        if (rep.findings.length === 0) expect(rep.verdict).toBe('ok');
        // metadata the target cannot read stops everything else
        if (!release(t)!.metadata.reads.includes(facts.metadataVersion)) expect(rep.findings.map((x) => x.rule)).toEqual(['metadata-version']);
      }),
    );
  });
});
