import { murmur } from '#murmur';

const utf8 = new TextEncoder();

/** Reverses the byte order of a 16-hex-digit string. */
function reverseBytes(hex16: string): string {
  let out = '';
  for (let i = 14; i >= 0; i -= 2) out += hex16.slice(i, i + 2);
  return out;
}

/**
 * The operator id Flink derives from a user-set uid (`.uid("...")`): MurmurHash3 x64 128-bit,
 * seed 0, over the UTF-8 bytes of the uid, as Guava's byte order (each 64-bit half little-endian).
 *
 * @example operatorIdFromUid('value-process-uid') === 'ca4f5fe9a637b656f09ea78b3e7a15b9'
 */
export function operatorIdFromUid(uid: string): string {
  const hex = murmur.x64.hash128(utf8.encode(uid), 0);
  return reverseBytes(hex.slice(0, 16)) + reverseBytes(hex.slice(16, 32));
}
