import { RocksError } from '../errors.js';

const MANIFEST_NAME = /^MANIFEST-(\d{1,20})$/;

/**
 * The MANIFEST file name a `CURRENT` file points to: its content is the name followed by one
 * newline (`MANIFEST-000005\n`, db/filename.cc SetCurrentFile). Anything else (no newline, other
 * text, a path, a second line) is a typed `BadValue` error.
 */
export function readCurrent(bytes: Uint8Array, file = 'CURRENT'): string {
  const fail = (detail: string, offset = 0) => new RocksError('BadValue', `CURRENT ${detail}`, { file, offset });
  if (bytes.length === 0) throw fail('is empty');
  if (bytes.length > 64) throw fail(`is ${bytes.length} bytes long; it should hold one MANIFEST file name`);
  if (bytes[bytes.length - 1] !== 0x0a) throw fail('does not end with a newline', bytes.length);
  let name = '';
  for (let i = 0; i < bytes.length - 1; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) throw fail(`holds byte 0x${b.toString(16)}`, i);
    name += String.fromCharCode(b);
  }
  if (!MANIFEST_NAME.test(name)) throw fail(`names "${name}", not a MANIFEST-<number> file`);
  return name;
}

/** The file number in a MANIFEST file name (`MANIFEST-000005` → 5). */
export function manifestNumber(name: string): number {
  const m = MANIFEST_NAME.exec(name);
  const n = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(n)) throw new RocksError('BadValue', `"${name}" is not a MANIFEST file name`, {});
  return n;
}
