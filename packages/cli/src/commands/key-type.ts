import { UsageError } from '@ckpt/format';
import { basicSerializerSnapshot, type SerializerSnapshot } from '@ckpt/state';

/** `--key-type String|Long|…`: the serializer snapshot of the keys of changelog state without a materialized part. */
export function keyTypeOption(type: string): SerializerSnapshot {
  const s = basicSerializerSnapshot(type);
  if (!s) throw new UsageError('BadArgument', `--key-type ${type}: expected one of String, Long, Int, Short, Byte, Boolean, Char, Float, Double, BigInt, BigDec`);
  return s;
}
