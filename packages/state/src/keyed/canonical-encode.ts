import { ByteWriter } from '@ckpt/format';
import type { ValueCodec } from '../serializers/codecs.js';
import type { KeyedStateEntry, StateCodecs } from './entry.js';

/** `ListDelimitedSerializer`'s delimiter between list elements. */
const LIST_DELIMITER = 0x2c;

/** `writeVariableIntBytes`: little-endian base-256, at least one byte. */
function writeVarIntBytes(w: ByteWriter, v: number): void {
  do {
    w.u8(v & 0xff);
    v >>>= 8;
  } while (v !== 0);
}

/**
 * One decoded entry in Flink's composite-key layout (the canonical format's and RocksDB's, the
 * reverse of `decodeEntry`): the key after its key-group prefix — key, namespace (each followed by
 * its length when both are variable-length), map user key; a timer's bytes for a priority queue —
 * and the value: list elements joined by ',', a map value behind its null flag, else the value.
 */
export function encodeCompositeEntry(st: StateCodecs, key: ValueCodec, e: KeyedStateEntry): { key: Uint8Array; value: Uint8Array } {
  const k = new ByteWriter(64);
  const v = new ByteWriter(64);
  if (st.kind === 'PRIORITY_QUEUE') {
    st.value.write(k, e.value);
    return { key: k.finish(), value: v.finish() };
  }
  const ns = st.namespace!;
  const ambiguous = key.fixedLength < 0 && ns.fixedLength < 0;
  let at = k.length;
  key.write(k, e.key);
  if (ambiguous) writeVarIntBytes(k, k.length - at);
  at = k.length;
  ns.write(k, e.namespace);
  if (ambiguous) writeVarIntBytes(k, k.length - at);
  if (st.kind === 'MAP') {
    st.userKey!.write(k, e.userKey);
    if (e.value === null) v.u8(1);
    else {
      v.u8(0);
      st.element.write(v, e.value);
    }
  } else if (st.kind === 'LIST') {
    (e.value as unknown[]).forEach((x, i) => {
      if (i > 0) v.u8(LIST_DELIMITER);
      st.element.write(v, x);
    });
  } else st.value.write(v, e.value);
  return { key: k.finish(), value: v.finish() };
}
