import type { StateMetaInfo } from '../meta/meta-info.js';
import type { ValueCodec } from '../serializers/codecs.js';

/** `KEYED_STATE_TYPE` option values, plus PRIORITY_QUEUE for timer states. */
export type KeyedStateKind = 'VALUE' | 'LIST' | 'MAP' | 'REDUCING' | 'AGGREGATING' | 'PRIORITY_QUEUE' | 'UNKNOWN';

/**
 * One decoded keyed-state entry. VALUE/REDUCING/AGGREGATING: `value` is the state value; LIST: an
 * array of elements; MAP: one entry per map entry with `userKey` (value `null` = null value);
 * PRIORITY_QUEUE: `value` is the queue element (a timer), `key`/`namespace` are undefined.
 */
export interface KeyedStateEntry {
  keyGroup: number;
  state: string;
  stateKind: KeyedStateKind;
  key: unknown;
  namespace: unknown;
  userKey?: unknown;
  value: unknown;
}

/** Codecs of one state as used by both keyed formats. */
export interface StateCodecs {
  meta: StateMetaInfo;
  kind: KeyedStateKind;
  namespace?: ValueCodec;
  /** Full VALUE_SERIALIZER (ListSerializer / MapSerializer for LIST / MAP). */
  value: ValueCodec;
  /** LIST: element codec; MAP: user value codec; others: = value. */
  element: ValueCodec;
  /** MAP: user key codec. */
  userKey?: ValueCodec;
}
