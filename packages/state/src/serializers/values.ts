/** JavaScript shapes of decoded state values (see `codecs.ts` for which serializer gives which). */

/** Bytes whose serializer ckpt cannot decode, with the serializer snapshot class that wrote them. */
export interface OpaqueValue {
  kind: 'opaque';
  serializer: string;
  bytes: Uint8Array;
}

/**
 * A SQL `RAW` value: the bytes its own serializer wrote (the job's, for a class of the job) and the
 * Java class of the values when the type names it.
 */
export interface RawValue {
  kind: 'raw';
  class: string | null;
  bytes: Uint8Array;
}

/** The bytes of a RAW value to write: a {@link RawValue}, or plain bytes. */
export function rawBytes(v: unknown): Uint8Array | undefined {
  if (v instanceof Uint8Array) return v;
  const o = v as Partial<RawValue> | null;
  return o?.kind === 'raw' && o.bytes instanceof Uint8Array ? o.bytes : undefined;
}

/** A value of a TTL-enabled state: the user value and its last access time (epoch ms). */
export interface TtlValue {
  kind: 'ttl';
  value: unknown;
  lastAccessTimestamp: bigint;
}

/** A timer of a `PRIORITY_QUEUE` state. */
export interface TimerValue {
  kind: 'timer';
  timestamp: bigint;
  key: unknown;
  namespace: unknown;
}

export type RowKind = 'INSERT' | 'UPDATE_BEFORE' | 'UPDATE_AFTER' | 'DELETE';
export const ROW_KINDS: readonly RowKind[] = ['INSERT', 'UPDATE_BEFORE', 'UPDATE_AFTER', 'DELETE'];

/** A `org.apache.flink.types.Row`. */
export interface RowValue {
  kind: 'row';
  rowKind: RowKind;
  fields: unknown[];
}

/** A Flink `TimeWindow` namespace. */
export interface TimeWindowValue {
  kind: 'timeWindow';
  start: bigint;
  end: bigint;
}

/** `Either` values. */
export type EitherValue = { kind: 'left'; value: unknown } | { kind: 'right'; value: unknown };

export function isOpaque(v: unknown): v is OpaqueValue {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'opaque';
}
