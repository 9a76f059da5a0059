// TEMPORARY placeholder until the trailer module lands.
import { FormatError } from '../errors.js';
export function readCheckpointProperties(raw: Uint8Array, baseOffset = 0): unknown {
  if (raw.length < 5 || raw[0] !== 0xac || raw[1] !== 0xed) throw new FormatError('BadTrailer', 'no java stream', { offset: baseOffset });
  return null;
}
