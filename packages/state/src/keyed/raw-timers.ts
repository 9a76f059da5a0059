import { ByteReader, type KeyedStateHandle } from '@ckpt/format';
import { StateError, guard } from '../errors.js';
import { readExactly, type ByteSource } from '../io/source.js';
import { codecFor } from '../serializers/codecs.js';
import { legacySerializers, readVersionedSnapshot, type SerializerSnapshot } from '../serializers/snapshot.js';
import type { TimerValue } from '../serializers/values.js';
import type { KeyedStateEntry } from './entry.js';

/**
 * Timers that Flink ≤ 1.x operators wrote into *raw* keyed state (heap timers before they became
 * managed `PRIORITY_QUEUE` state; `AbstractStreamOperator` → `InternalTimerServiceSerializationProxy`).
 * Per key group of the raw keyed stream (offsets from the handle, no header):
 * ```
 * [F1 CD 85 9F, int version (1: Flink 1.4.1–1.7, 2: 1.8+)]   // absent: pre-versioned (≤ 1.4.0)
 * int numServices
 * numServices × ( utf serviceName,
 *                 key and namespace serializers: pre-versioned two bare Java streams,
 *                   v1 one resilience block of two pairs, v2 two versioned snapshots,
 *                 int n, n × (key, namespace, long timestamp)      // event-time timers
 *                 int n, n × (key, namespace, long timestamp) )    // processing-time timers
 * ```
 * Read as the managed timer states Flink restores them into: `_timer_state/event_<service>` and
 * `_timer_state/processing_<service>`. Raw keyed state is otherwise the operator's own layout:
 * a key group that does not read as timers, to its last byte, is a `BadValue` error.
 */
const VERSIONED_IDENTIFIER = [0xf1, 0xcd, 0x85, 0x9f];

type KeyGroupsLike = Extract<KeyedStateHandle, { kind: 'keyGroups' | 'savepointKeyGroups' }>;

/** The timers of the chosen key groups (default: all of the handle) of a raw keyed state handle. */
export async function readRawKeyedTimers(handle: KeyGroupsLike, source: ByteSource, keyGroups?: readonly [number, number]): Promise<KeyedStateEntry[]> {
  const size = await source.size();
  const out: KeyedStateEntry[] = [];
  // every key group of the range is written, the first at offset 0: each ends where the next starts
  const offsets = handle.offsets.map(Number);
  const starts = [...new Set(offsets)].sort((a, b) => a - b);
  for (const [i, offset] of offsets.entries()) {
    const kg = handle.keyGroupRange.start + i;
    if (keyGroups && (kg < keyGroups[0] || kg > keyGroups[1])) continue;
    const end = starts.find((o) => o > offset) ?? size;
    if (end > size) throw new StateError('Truncated', `raw key group ${kg} ends past the file (${size} bytes)`, { file: source.name });
    // only this key group's bytes are read; a huge one is the operator's own data, not timers
    if (end - offset > MAX_KEY_GROUP_BYTES) throw new StateError('BadValue', `raw key group ${kg} holds ${end - offset} bytes: not read as timers`, { file: source.name, offset });
    const bytes = await readExactly(source, offset, end - offset);
    guard(source.name, () => readKeyGroup(new ByteReader(bytes, 0, offset), kg, out));
  }
  return out;
}

const MAX_KEY_GROUP_BYTES = 256 << 20;

function readKeyGroup(r: ByteReader, kg: number, out: KeyedStateEntry[]): void {
  let version = 0; // pre-versioned
  if (r.remaining >= 4 && VERSIONED_IDENTIFIER.every((b, i) => r.bytes[r.offset + i] === b)) {
    r.offset += 4;
    const at = r.offset;
    version = r.i32('timer proxy version');
    if (version !== 1 && version !== 2) throw new StateError('UnsupportedVersion', `timer service proxy version ${version}`, { offset: r.base + at, path: r.path });
  }
  const services = r.count('timer services', 10);
  for (let i = 0; i < services; i++) {
    const name = r.utf('timer service name');
    r.at(`timers(${name})`, () => {
      const [keySnap, nsSnap] = serializers(r, version);
      const key = codecFor(keySnap);
      const ns = codecFor(nsSnap);
      for (const domain of ['event', 'processing'] as const) {
        const n = r.count(`${domain}-time timers`, 9);
        for (let t = 0; t < n; t++) {
          const value: TimerValue = { kind: 'timer', key: key.read(r), namespace: ns.read(r), timestamp: r.i64('timer timestamp') };
          out.push({ keyGroup: kg, state: `_timer_state/${domain}_${name}`, stateKind: 'PRIORITY_QUEUE', key: undefined, namespace: undefined, value });
        }
      }
    });
  }
  if (r.remaining !== 0) {
    throw new StateError('BadValue', `raw key group ${kg} has ${r.remaining} bytes after its timers: not the timer layout`, { offset: r.base + r.offset, path: r.path });
  }
}

function serializers(r: ByteReader, version: number): [SerializerSnapshot, SerializerSnapshot] {
  if (version === 2) return [r.at('key', () => readVersionedSnapshot(r)), r.at('namespace', () => readVersionedSnapshot(r))];
  if (version === 1) {
    const at = r.offset;
    const pairs = legacySerializers.pairs(r);
    if (pairs.length !== 2) throw new StateError('BadValue', `${pairs.length} timer serializers, expected 2`, { offset: r.base + at, path: r.path });
    return pairs as [SerializerSnapshot, SerializerSnapshot];
  }
  return [r.at('key', () => legacySerializers.stream(r)), r.at('namespace', () => legacySerializers.stream(r))];
}
