import { FormatError, type CheckpointMetadata } from '@ckpt/format';
import { Decoder, encode } from '@msgpack/msgpack';
import { essentials, withDerivedFields } from './derived.js';

// msgpack mapping: the model itself. Java longs (bigint) are msgpack int64, Java ints are the
// smallest msgpack integer, byte arrays are bin, a null handle is nil, absent optional fields are
// left out. The trailer's view is not stored (it is derived from `properties.raw`).

const options = { useBigInt64: true, ignoreUndefined: true } as const;

export function toMsgpack(meta: CheckpointMetadata): Uint8Array {
  return encode(essentials(meta), options);
}

export function fromMsgpack(bytes: Uint8Array): CheckpointMetadata {
  let value: unknown;
  const decoder = new Decoder(options);
  try {
    value = decoder.decode(bytes);
  } catch (e) {
    // the decoder's read position (a private field of @msgpack/msgpack) is where it stopped
    const pos = (decoder as unknown as { pos?: unknown }).pos;
    const offset = typeof pos === 'number' ? Math.min(pos, bytes.length) : bytes.length;
    throw new FormatError('InvalidModel', `not msgpack: ${(e as Error).message}`, { cause: e, offset });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FormatError('InvalidModel', 'msgpack input is not a map');
  }
  return withDerivedFields(value as CheckpointMetadata);
}
