import { existsSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { ByteReader, ByteWriter } from '@ckpt/format';
import { codecFor, describeSnapshot, encodeValue, readVersionedSnapshot, serializer, NAMESPACE_SERIALIZER, VALUE_SERIALIZER } from '../src/index.js';
import { corpusKeyedState } from './support.js';

// Flink SQL MATCH_RECOGNIZE savepoints (CEP operator state: NFA states and the shared buffer),
// from the shared real-file corpus, read in place.
const CORPUS = '/work/shared/fixtures/flink-corpus';
const CEP_SP = [`${CORPUS}/0150/_metadata`, `${CORPUS}/0153/_metadata`].filter((p) => existsSync(p));
const NFA = 'org.apache.flink.cep.nfa.';

const cepState = (path: string) => corpusKeyedState(path, 'nfaStateName');

const idOf = (e: unknown) => JSON.stringify(e, (_k, v) => (typeof v === 'bigint' ? String(v) : v));

describe.skipIf(CEP_SP.length === 0)('CEP state of real MATCH_RECOGNIZE savepoints', () => {
  test.each(CEP_SP)('%s: serializers named, entries decoded, and the shared buffer is consistent with the NFA states', async (path) => {
    const { entries, files } = await cepState(path);
    const types = Object.fromEntries(files[0]!.header.states.map((m) => [m.name, describeSnapshot(serializer(m, VALUE_SERIALIZER)!)]));
    expect(types).toMatchObject({
      nfaStateName: 'NFAState',
      'sharedBuffer-events': expect.stringMatching(/^Map<EventId, Lockable<RowData<.*>>>$/),
      'sharedBuffer-entries-with-lockable-edges': 'Map<NodeId, Lockable<SharedBufferNode>>',
      'sharedBuffer-events-count': 'Map<Long, Int>',
    });
    const by = (state: string) => entries.filter((e) => e.state === state);
    const nfa = by('nfaStateName');
    expect(nfa.length).toBeGreaterThan(0);
    const nodes = new Map(by('sharedBuffer-entries-with-lockable-edges').map((e) => [idOf([e.key, e.userKey]), e.value as any]));
    const events = new Set(by('sharedBuffer-events').map((e) => idOf([e.key, e.userKey])));
    expect(nodes.size).toBeGreaterThan(0);
    let linked = 0;
    for (const e of nfa) {
      const v = e.value as any;
      expect(v.kind).toBe('nfaState');
      for (const cs of [...v.partialMatches, ...v.completedMatches]) {
        expect(cs.version).toMatch(/^\d+(\.\d+)*$/);
        if (cs.previousBufferEntry === null) continue;
        // a partial match points at a shared buffer node of the same key, whose event is stored
        const node = nodes.get(idOf([e.key, cs.previousBufferEntry]));
        expect(node).toMatchObject({ kind: 'lockable', element: { kind: 'sharedBufferNode' } });
        expect(node.refCounter).toBeGreaterThan(0);
        expect(events.has(idOf([e.key, cs.previousBufferEntry.eventId]))).toBe(true);
        linked++;
      }
    }
    expect(linked).toBeGreaterThan(0);
    // every node's event is in the events state, and the per-timestamp counters cover them
    for (const [id] of nodes) {
      const [key, nodeId] = JSON.parse(id);
      expect(events.has(JSON.stringify([key, nodeId.eventId]))).toBe(true);
    }
    for (const e of by('sharedBuffer-events')) expect(e.value).toMatchObject({ kind: 'lockable', refCounter: expect.any(Number) });
  });

  test.each(CEP_SP)('%s: every CEP value and map key encodes back to the bytes Flink wrote', async (path) => {
    const checked = new Set<string>();
    for (const file of (await cepState(path)).files) {
      const key = codecFor(file.header.keySerializer);
      const metas = file.header.states;
      for await (const kg of file.rawKeyGroups()) {
        for (const raw of kg.entries) {
          const m = metas[raw.stateId]!;
          const value = serializer(m, VALUE_SERIALIZER)!;
          if (!m.name.startsWith('sharedBuffer-') && m.name !== 'nfaStateName') continue;
          const exact = (c: ReturnType<typeof codecFor>, bytes: Uint8Array) => {
            const r = new ByteReader(bytes);
            const v = c.read(r);
            expect(r.remaining).toBe(0);
            expect(encodeValue(c, v)).toEqual(bytes);
            checked.add(m.name);
          };
          if (m.name === 'nfaStateName') {
            exact(codecFor(value), raw.value);
            continue;
          }
          // a map entry: value behind a null flag; the user key after the key and the (void) namespace
          const [userKey, element] = value.nested.map(codecFor);
          expect(raw.value[0]).toBe(0);
          exact(element!, raw.value.subarray(1));
          const r = new ByteReader(raw.key);
          key.read(r);
          codecFor(serializer(m, NAMESPACE_SERIALIZER)!).read(r);
          exact(userKey!, raw.key.subarray(r.offset));
        }
      }
    }
    expect([...checked].sort()).toEqual(['nfaStateName', 'sharedBuffer-entries-with-lockable-edges', 'sharedBuffer-events', 'sharedBuffer-events-count']);
  });
});

// ---- constructed snapshots ----

function simple(w: ByteWriter, cls: string): void {
  w.utf(cls);
  w.i32(3);
}
function composite(w: ByteWriter, cls: string, outerVersion: number, outer: (w: ByteWriter) => void, nested: ((w: ByteWriter) => void)[]): void {
  w.utf(cls);
  w.i32(3);
  (w.i32(911108), w.i32(outerVersion));
  outer(w);
  (w.i32(1333245), w.i32(1), w.i32(nested.length));
  for (const n of nested) n(w);
}
const none = () => undefined;
const eventId = (w: ByteWriter) => simple(w, `${NFA}sharedbuffer.EventId$EventIdSerializer$EventIdSerializerSnapshot`);
const dewey = (w: ByteWriter) => simple(w, `${NFA}DeweyNumber$DeweyNumberSerializer$DeweyNumberSerializerSnapshot`);
const nodeId = (w: ByteWriter) => composite(w, `${NFA}sharedbuffer.NodeId$NodeIdSerializer$NodeIdSerializerSnapshot`, 1, none, [eventId]);
const edge = (w: ByteWriter) => composite(w, `${NFA}sharedbuffer.SharedBufferEdge$SharedBufferEdgeSerializer$SharedBufferEdgeSerializerSnapshot`, 1, none, [nodeId, dewey]);
const node = (w: ByteWriter) => composite(w, `${NFA}sharedbuffer.SharedBufferNodeSerializerSnapshotV2`, 1, none, [edge]);
const lockableNode = (w: ByteWriter) => composite(w, `${NFA}sharedbuffer.LockableTypeSerializerSnapshot`, 1, none, [node]);
const nfaState = (outerVersion: number, prev: boolean) => (w: ByteWriter) =>
  composite(w, `${NFA}NFAStateSerializerSnapshot`, outerVersion, (x) => (outerVersion >= 2 ? x.u8(prev ? 1 : 0) : undefined), [dewey, nodeId, eventId]);

function snap(write: (w: ByteWriter) => void) {
  const w = new ByteWriter(256);
  write(w);
  const r = new ByteReader(w.finish());
  const s = readVersionedSnapshot(r);
  expect(r.remaining).toBe(0);
  return s;
}

const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const eventIdArb = fc.record({ kind: fc.constant('eventId' as const), id: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), timestamp: long });
const nodeIdArb = fc.option(fc.record({ kind: fc.constant('nodeId' as const), eventId: eventIdArb, pageName: fc.option(fc.string(), { nil: null }) }), { nil: null });
const deweyArb = fc.array(fc.nat({ max: 1000 }), { maxLength: 5 }).map((d) => d.join('.'));

describe('CEP codecs from constructed snapshots', () => {
  test.each([[1, false], [2, false], [2, true]] as const)('property: NFAState (outer v%i, previousTimestamp %s) reads back what it encodes, to the last byte', (outerVersion, prev) => {
    const codec = codecFor(snap(nfaState(outerVersion, prev)));
    const withPrev = prev && outerVersion >= 2;
    const cs = fc.record({
      currentStateName: fc.option(fc.string(), { nil: null }),
      previousBufferEntry: nodeIdArb,
      version: deweyArb,
      startTimestamp: long,
      ...(withPrev ? { previousTimestamp: long } : {}),
      startEventId: fc.option(eventIdArb, { nil: null }),
    });
    fc.assert(fc.property(fc.array(cs, { maxLength: 3 }), fc.array(cs, { maxLength: 3 }), (partialMatches, completedMatches) => {
      const v = { kind: 'nfaState', partialMatches, completedMatches };
      const bytes = encodeValue(codec, v);
      const r = new ByteReader(bytes);
      expect(codec.read(r)).toEqual(v);
      expect(r.remaining).toBe(0);
    }));
  });

  test('property: Lockable<SharedBufferNode> round-trips, and a cut value is an error, never a shorter value', () => {
    const codec = codecFor(snap(lockableNode));
    expect(codec.type).toBe('Lockable<SharedBufferNode>');
    const edgeArb = fc.record({ refCounter: fc.integer({ min: 0, max: 2 ** 31 - 1 }), edge: fc.record({ kind: fc.constant('sharedBufferEdge'), target: nodeIdArb, deweyNumber: deweyArb }) });
    fc.assert(fc.property(fc.integer({ min: 0, max: 9 }), fc.array(edgeArb, { maxLength: 4 }), (refCounter, edges) => {
      const v = { kind: 'lockable', refCounter, element: { kind: 'sharedBufferNode', edges } };
      const bytes = encodeValue(codec, v);
      expect(codec.read(new ByteReader(bytes))).toEqual(v);
      expect(() => codec.read(new ByteReader(bytes.subarray(0, bytes.length - 1)))).toThrow();
    }));
  });

  test('the older SharedBufferNode serializer (state sharedBuffer-entries): a list of edges without ref counters', () => {
    const list = (w: ByteWriter) => composite(w, 'org.apache.flink.api.common.typeutils.base.ListSerializerSnapshot', 1, none, [edge]);
    const codec = codecFor(snap((w) => composite(w, `${NFA}sharedbuffer.SharedBufferNode$SharedBufferNodeSerializer$SharedBufferNodeSerializerSnapshot`, 1, none, [list])));
    expect(codec.type).toBe('SharedBufferNode');
    // two edges: (null target, "1.2"), (node e#3@5 "p", "")
    const bytes = Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2, 1, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 5, 2, 0x70, 0, 0, 0, 0);
    const v = codec.read(new ByteReader(bytes));
    expect(v).toEqual({
      kind: 'sharedBufferNode',
      edges: [
        { edge: { kind: 'sharedBufferEdge', target: null, deweyNumber: '1.2' } },
        { edge: { kind: 'sharedBufferEdge', target: { kind: 'nodeId', eventId: { kind: 'eventId', id: 3, timestamp: 5n }, pageName: 'p' }, deweyNumber: '' } },
      ],
    });
    expect(encodeValue(codec, v)).toEqual(bytes);
  });

  test('a NodeId is null or an event and page; a DeweyNumber is its digits; EventId is 12 bytes', () => {
    const n = codecFor(snap(nodeId));
    expect(n.read(new ByteReader(Uint8Array.of(0)))).toBeNull();
    expect(n.read(new ByteReader(Uint8Array.of(1, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9, 2, 0x41)))).toEqual({
      kind: 'nodeId',
      eventId: { kind: 'eventId', id: 7, timestamp: 9n },
      pageName: 'A',
    });
    const d = codecFor(snap(dewey));
    expect(d.read(new ByteReader(Uint8Array.of(0, 0, 0, 2, 0, 0, 0, 8, 0, 0, 0, 0)))).toBe('8.0');
    expect(() => encodeValue(d, '8.x')).toThrow(expect.objectContaining({ code: 'BadValue' }));
    expect(codecFor(snap(eventId)).fixedLength).toBe(12);
  });
});
