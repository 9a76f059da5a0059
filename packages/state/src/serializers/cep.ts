import type { ByteReader, ByteWriter } from '@ckpt/format';
import { StateError } from '../errors.js';
import type { ValueCodec } from './codecs.js';
import { readStringValue, writeStringValue } from './data.js';
import type { SerializerSnapshot } from './snapshot.js';

/**
 * Serializers of Flink CEP (`flink-cep`, also behind SQL `MATCH_RECOGNIZE`): the NFA's state and
 * its shared buffer. Value layouts (all DataOutput, big-endian):
 * - `DeweyNumber`: `int n`, n × `int` digit;
 * - `EventId`: `int id`, `long timestamp`;
 * - `NodeId`: `byte 0` (null) or `byte 1`, EventId, `StringValue pageName`;
 * - `Lockable<E>`: `int refCounter`, then E;
 * - `SharedBufferEdge`: NodeId target, DeweyNumber;
 * - `SharedBufferNode` (the V2 serializer): `int n`, n × (`int refCounter`, SharedBufferEdge); the
 *   older serializer: a `List<SharedBufferEdge>` (`int n`, n × SharedBufferEdge);
 * - `NFAState`: partial matches then completed matches, each `int n`, n × ComputationState =
 *   `StringValue currentStateName`, NodeId previousBufferEntry, DeweyNumber version, `long
 *   startTimestamp`, `long previousTimestamp` (only when the snapshot says the serializer writes
 *   it: outer snapshot v2+ `bool`), `byte 1` + EventId startEventId or `byte 0`.
 */
const C = 'org.apache.flink.cep.nfa.';
export const CEP = {
  dewey: `${C}DeweyNumber$DeweyNumberSerializer$DeweyNumberSerializerSnapshot`,
  eventId: `${C}sharedbuffer.EventId$EventIdSerializer$EventIdSerializerSnapshot`,
  nodeId: `${C}sharedbuffer.NodeId$NodeIdSerializer$NodeIdSerializerSnapshot`,
  lockable: `${C}sharedbuffer.LockableTypeSerializerSnapshot`,
  edge: `${C}sharedbuffer.SharedBufferEdge$SharedBufferEdgeSerializer$SharedBufferEdgeSerializerSnapshot`,
  node: `${C}sharedbuffer.SharedBufferNodeSerializerSnapshotV2`,
  /** The older node serializer (state `sharedBuffer-entries`, read only by Flink now): a node is a `List<SharedBufferEdge>`, edges without ref counters. */
  legacyNode: `${C}sharedbuffer.SharedBufferNode$SharedBufferNodeSerializer$SharedBufferNodeSerializerSnapshot`,
  nfaState: `${C}NFAStateSerializerSnapshot`,
} as const;

/** Composite CEP snapshots and their number of nested serializers. */
export const CEP_NESTED_ARITY: [string, number][] = [
  [CEP.nodeId, 1],
  [CEP.lockable, 1],
  [CEP.edge, 2],
  [CEP.node, 1],
  [CEP.legacyNode, 1],
  [CEP.nfaState, 3],
];

/** Configuration-free CEP snapshots (payload empty, like Flink's `SimpleTypeSerializerSnapshot`). */
export const CEP_SIMPLE: [string, string][] = [
  [CEP.dewey, 'DeweyNumber'],
  [CEP.eventId, 'EventId'],
];

export type CepConfig = { kind: 'nfaState'; previousTimestamp: boolean };

/** The outer snapshot of `NFAStateSerializerSnapshot`: v2+ says whether `previousTimestamp` is written. */
export function readCepOuter(r: ByteReader, className: string, outerVersion: number): CepConfig | undefined {
  if (className !== CEP.nfaState) return undefined;
  return { kind: 'nfaState', previousTimestamp: outerVersion >= 2 ? r.u8('supportsPreviousTimestamp') !== 0 : false };
}

export function describeCep(s: SerializerSnapshot, parts: string[]): string | undefined {
  switch (s.className) {
    case CEP.nodeId:
      return 'NodeId';
    case CEP.lockable:
      return `Lockable<${parts[0] ?? ''}>`;
    case CEP.edge:
      return 'SharedBufferEdge';
    case CEP.node:
    case CEP.legacyNode:
      return 'SharedBufferNode';
    case CEP.nfaState:
      return 'NFAState';
  }
  return undefined;
}

export interface EventIdValue {
  kind: 'eventId';
  id: number;
  timestamp: bigint;
}
export interface NodeIdValue {
  kind: 'nodeId';
  eventId: EventIdValue;
  pageName: string | null;
}
export interface ComputationStateValue {
  currentStateName: string | null;
  previousBufferEntry: NodeIdValue | null;
  /** The Dewey number, digits joined by dots (as Flink prints it). */
  version: string;
  startTimestamp: bigint;
  /** Only when the serializer writes it (Flink 1.16+). */
  previousTimestamp?: bigint;
  startEventId: EventIdValue | null;
}
export interface NfaStateValue {
  kind: 'nfaState';
  partialMatches: ComputationStateValue[];
  completedMatches: ComputationStateValue[];
}

type Make = (type: string, className: string, fixedLength: number, read: (r: ByteReader) => unknown, write: (w: ByteWriter, v: unknown) => void) => ValueCodec;

function bad(type: string, v: unknown): StateError {
  return new StateError('BadValue', `cannot write ${typeof v} ${String(v)} as ${type}`);
}

function field<T>(v: unknown, name: string, type: string, ok: (x: unknown) => boolean): T {
  const x = (v as Record<string, unknown> | null)?.[name];
  if (!ok(x)) throw bad(`${type}.${name}`, x);
  return x as T;
}
const isInt = (x: unknown) => typeof x === 'number' && Number.isInteger(x);
const isBig = (x: unknown) => typeof x === 'bigint';
const isArr = (x: unknown) => Array.isArray(x);

function readDewey(r: ByteReader): string {
  const n = r.count('dewey number digits', 4);
  const digits: number[] = [];
  for (let i = 0; i < n; i++) digits.push(r.i32('dewey digit'));
  return digits.join('.');
}

function writeDewey(w: ByteWriter, v: unknown): void {
  if (typeof v !== 'string' || !/^(-?\d+(\.-?\d+)*)?$/.test(v)) throw bad('DeweyNumber', v);
  const digits = v === '' ? [] : v.split('.').map(Number);
  w.i32(digits.length);
  for (const d of digits) w.i32(d);
}

/** The codec of a CEP serializer snapshot, or undefined when `s` is not one. */
export function cepCodec(s: SerializerSnapshot, nested: ValueCodec[], type: string, make: Make): ValueCodec | undefined {
  const cls = s.className;
  switch (cls) {
    case CEP.dewey:
      return make(type, cls, -1, readDewey, writeDewey);
    case CEP.eventId:
      return make(type, cls, 12, (r): EventIdValue => ({ kind: 'eventId', id: r.i32('event id'), timestamp: r.i64('event timestamp') }), (w, v) => {
        w.i32(field<number>(v, 'id', type, isInt));
        w.i64(field<bigint>(v, 'timestamp', type, isBig));
      });
    case CEP.nodeId: {
      const eventId = nested[0]!;
      return make(type, cls, -1, (r): NodeIdValue | null => {
        if (r.u8('node id present') === 0) return null;
        return { kind: 'nodeId', eventId: eventId.read(r) as EventIdValue, pageName: readStringValue(r, 'page name') };
      }, (w, v) => {
        w.u8(v === null ? 0 : 1);
        if (v === null) return;
        eventId.write(w, field(v, 'eventId', type, (x) => typeof x === 'object' && x !== null));
        writeStringValue(w, field<string | null>(v, 'pageName', type, (x) => x === null || typeof x === 'string'));
      });
    }
    case CEP.lockable: {
      const el = nested[0]!;
      return make(type, cls, -1, (r) => ({ kind: 'lockable', refCounter: r.i32('lock ref counter'), element: el.read(r) }), (w, v) => {
        w.i32(field<number>(v, 'refCounter', type, isInt));
        el.write(w, (v as { element?: unknown }).element);
      });
    }
    case CEP.edge: {
      const [node, dewey] = [nested[0]!, nested[1]!];
      return make(type, cls, -1, (r) => ({ kind: 'sharedBufferEdge', target: node.read(r), deweyNumber: dewey.read(r) }), (w, v) => {
        node.write(w, field(v, 'target', type, () => true));
        dewey.write(w, field(v, 'deweyNumber', type, () => true));
      });
    }
    case CEP.node: {
      const edge = nested[0]!;
      return make(type, cls, -1, (r) => {
        const n = r.count('shared buffer edges', 4);
        const edges: { refCounter: number; edge: unknown }[] = [];
        for (let i = 0; i < n; i++) edges.push({ refCounter: r.i32('edge ref counter'), edge: edge.read(r) });
        return { kind: 'sharedBufferNode', edges };
      }, (w, v) => {
        const edges = field<{ refCounter: unknown; edge: unknown }[]>(v, 'edges', type, isArr);
        w.i32(edges.length);
        for (const e of edges) {
          w.i32(field<number>(e, 'refCounter', type, isInt));
          edge.write(w, e.edge);
        }
      });
    }
    case CEP.legacyNode: {
      const list = nested[0]!;
      return make(type, cls, -1, (r) => ({ kind: 'sharedBufferNode', edges: (list.read(r) as unknown[]).map((edge) => ({ edge })) }), (w, v) => {
        list.write(w, field<{ edge: unknown }[]>(v, 'edges', type, isArr).map((e) => e.edge));
      });
    }
    case CEP.nfaState: {
      const [dewey, node, eventId] = [nested[0]!, nested[1]!, nested[2]!];
      const prev = s.config?.kind === 'nfaState' && s.config.previousTimestamp;
      const readStates = (r: ByteReader, what: string): ComputationStateValue[] => {
        const n = r.count(what, 15);
        const out: ComputationStateValue[] = [];
        for (let i = 0; i < n; i++) {
          const currentStateName = readStringValue(r, 'state name');
          const previousBufferEntry = node.read(r) as NodeIdValue | null;
          const version = dewey.read(r) as string;
          const startTimestamp = r.i64('start timestamp');
          const previousTimestamp = prev ? { previousTimestamp: r.i64('previous timestamp') } : {};
          const startEventId = r.u8('start event present') === 1 ? (eventId.read(r) as EventIdValue) : null;
          const st: ComputationStateValue = { currentStateName, previousBufferEntry, version, startTimestamp, ...previousTimestamp, startEventId };
          out.push(st);
        }
        return out;
      };
      const writeStates = (w: ByteWriter, states: ComputationStateValue[]): void => {
        w.i32(states.length);
        for (const st of states) {
          writeStringValue(w, st.currentStateName);
          node.write(w, st.previousBufferEntry);
          dewey.write(w, st.version);
          w.i64(field<bigint>(st, 'startTimestamp', type, isBig));
          if (prev) w.i64(field<bigint>(st, 'previousTimestamp', type, isBig));
          w.u8(st.startEventId === null ? 0 : 1);
          if (st.startEventId !== null) eventId.write(w, st.startEventId);
        }
      };
      return make(type, cls, -1, (r): NfaStateValue => ({
        kind: 'nfaState',
        partialMatches: readStates(r, 'partial matches'),
        completedMatches: readStates(r, 'completed matches'),
      }), (w, v) => {
        writeStates(w, field(v, 'partialMatches', type, isArr));
        writeStates(w, field(v, 'completedMatches', type, isArr));
      });
    }
  }
  return undefined;
}
