import { FormatError } from './errors.js';
import type { CheckpointMetadata } from './model.js';
import { jsonErrorOffset } from './json-offset.js';
import { readCheckpointProperties } from './trailer/properties.js';

/**
 * JSON form of the model: the same objects, with every `bigint` as a decimal string and every
 * `Uint8Array` as a base64 string. It survives `JSON.stringify` / `JSON.parse` and
 * `encodeMetadata(fromJson(toJson(m)))` is byte-identical to `encodeMetadata(m)`.
 * The trailer's `view` is informative: `fromJson` recomputes it from `raw`.
 */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [k: string]: JsonValue };

/** Model keys whose values (or array elements) are `bigint`. */
const BIGINT_KEYS = new Set([
  'checkpointId',
  'size',
  'stateSize',
  'offsets',
  'offset',
  'checkpointedSize',
  'materializationId',
  'from',
  'to',
  'startPos',
  'duration',
  'refCheckpointId',
]);
/** Model keys whose values are `Uint8Array`. */
const BYTES_KEYS = new Set(['data', 'payload', 'raw']);

export function bytesToBase64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 0x8000) {
    s += String.fromCharCode(...b.subarray(i, i + 0x8000));
  }
  return btoa(s);
}

export function base64ToBytes(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Any value made of model parts as JSON: bigint → decimal string, Uint8Array → base64,
 * `undefined` properties left out.
 */
export function encodeValue(v: unknown): JsonValue {
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Uint8Array) return bytesToBase64(v);
  if (Array.isArray(v)) return v.map(encodeValue);
  if (v !== null && typeof v === 'object') {
    const out: { [k: string]: JsonValue } = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(x);
    return out;
  }
  return v as JsonValue;
}

/** The model as a JSON-safe value (see {@link JsonValue}). */
export function toJson(meta: CheckpointMetadata): JsonValue {
  return encodeValue(meta);
}

/** `JSON.stringify(toJson(meta), null, 2)` */
export function toJsonString(meta: CheckpointMetadata): string {
  return JSON.stringify(toJson(meta), null, 2);
}

function bad(path: string, detail: string): FormatError {
  return new FormatError('InvalidModel', detail, { path });
}

/** Deeper than any model (handles nest at most 64 levels, a few JSON levels each): refused, not recursed. */
const MAX_JSON_DEPTH = 512;

function decodeValue(v: JsonValue, key: string, path: string, depth = 0): unknown {
  if (depth > MAX_JSON_DEPTH) throw bad(path, `nested deeper than ${MAX_JSON_DEPTH} levels`);
  if (Array.isArray(v)) return v.map((x, i) => decodeValue(x, key, `${path}[${i}]`, depth + 1));
  if (BIGINT_KEYS.has(key) && typeof v === 'string') {
    if (!/^-?\d+$/.test(v)) throw bad(path, `expected a decimal integer string, got ${JSON.stringify(v)}`);
    return BigInt(v);
  }
  if (BIGINT_KEYS.has(key) && typeof v === 'number') {
    throw bad(path, 'a 64-bit value must be a decimal string in JSON (numbers lose precision)');
  }
  if (BYTES_KEYS.has(key) && typeof v === 'string') {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(v)) throw bad(path, 'expected base64');
    try {
      return base64ToBytes(v);
    } catch {
      throw bad(path, 'expected base64'); // atob refuses a length of 1 mod 4 and misplaced padding
    }
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      out[k] = decodeValue(x, k, path === '' ? k : `${path}.${k}`, depth + 1);
    }
    return out;
  }
  return v;
}

/**
 * Where `JSON.parse(text)` failed: the position V8 reports ("... at position N") or, for messages
 * without one, the first offset at which the text stops being JSON.
 */
export function jsonSyntaxOffset(text: string, e: unknown): number {
  const m = /position (\d+)/.exec(e instanceof Error ? e.message : '');
  if (m) return Number(m[1]);
  const at = jsonErrorOffset(text);
  return at < 0 ? text.length : at;
}

/** The model from its JSON form (the inverse of {@link toJson}). */
export function fromJson(json: JsonValue | string): CheckpointMetadata {
  let value: JsonValue;
  try {
    value = typeof json === 'string' ? (JSON.parse(json) as JsonValue) : json;
  } catch (e) {
    throw new FormatError('InvalidModel', `not JSON: ${(e as Error).message}`, {
      cause: e,
      offset: jsonSyntaxOffset(json as string, e),
    });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw bad('', 'expected a JSON object');
  }
  const meta = decodeValue(value, '', '') as CheckpointMetadata;
  if (meta.properties !== undefined) {
    if (!(meta.properties.raw instanceof Uint8Array)) throw bad('properties.raw', 'expected base64 bytes');
    meta.properties = { raw: meta.properties.raw, view: readCheckpointProperties(meta.properties.raw) };
  }
  return meta;
}
