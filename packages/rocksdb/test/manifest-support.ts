// Test-only helpers for the MANIFEST tests: running `ldb`, parsing `ldb manifest_dump`, and a
// small log writer (db/log_writer.cc's framing) for building log files by hand.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes } from '@ckpt/format';
import { loadChecksums } from '../src/checksum.js';
import { maskCrc } from '@ckpt/format';
import { BytesSource } from '../src/source.js';
import { LOG_BLOCK_SIZE, LOG_HEADER_SIZE } from '../src/manifest/log-reader.js';

export const HAS_LDB = spawnSync('ldb', ['--help'], { stdio: 'ignore' }).error === undefined;

export function ldb(args: string[], input?: string): string {
  return execFileSync('ldb', args, { input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 256 << 20 });
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The live MANIFEST of a DB directory, by its CURRENT file. */
export function liveManifest(db: string): { name: string; bytes: Uint8Array; source: BytesSource } {
  const name = readFileSync(join(db, 'CURRENT'), 'utf8').trim();
  const bytes = new Uint8Array(readFileSync(join(db, name)));
  return { name, bytes, source: new BytesSource(bytes, join(db, name)) };
}

export interface DumpFile {
  level: number;
  number: number;
  size: number;
  smallestSeqno: bigint;
  largestSeqno: bigint;
  smallest: string;
  largest: string;
}

export interface DumpCf {
  id: number;
  name: string;
  logNumber: number;
  comparator: string;
  files: DumpFile[];
}

export interface Dump {
  cfs: DumpCf[];
  nextFileNumber: number;
  lastSequence: bigint;
  prevLogNumber: number;
  maxColumnFamily: number;
  minLogNumberToKeep: number;
}

const CF = /^-+ Column family "(.*)"\s+\(ID (\d+)\) -+$/;
const LEVEL = /^--- level (\d+) ---/;
const FILE = /^ (\d+):(\d+)\[(\d+) \.\. (\d+)\]\['([0-9A-F]*)' seq:(\d+), type:(\d+) \.\. '([0-9A-F]*)' seq:(\d+), type:(\d+)\]/;
const TAIL = /^next_file_number (\d+) last_sequence (\d+)\s+prev_log_number (\d+) max_column_family (\d+) min_log_number_to_keep (\d+)/;

/** Parses `ldb manifest_dump --hex` output: the version it ends with. */
export function parseManifestDump(text: string): Dump {
  const cfs: DumpCf[] = [];
  let cf: DumpCf | undefined;
  let level = -1;
  for (const line of text.split('\n')) {
    let m = CF.exec(line);
    if (m) {
      cf = { id: Number(m[2]), name: m[1]!, logNumber: -1, comparator: '', files: [] };
      cfs.push(cf);
      continue;
    }
    if (line.startsWith('log number: ') && cf) cf.logNumber = Number(line.slice(12));
    else if (line.startsWith('comparator: ') && cf) cf.comparator = line.slice(12);
    else if ((m = LEVEL.exec(line))) level = Number(m[1]);
    else if ((m = FILE.exec(line)) && cf) {
      cf.files.push({
        level,
        number: Number(m[1]),
        size: Number(m[2]),
        smallestSeqno: BigInt(m[3]!),
        largestSeqno: BigInt(m[4]!),
        smallest: `${m[5]!.toLowerCase()}@${m[6]}:${m[7]}`,
        largest: `${m[8]!.toLowerCase()}@${m[9]}:${m[10]}`,
      });
    } else if ((m = TAIL.exec(line))) {
      return {
        cfs,
        nextFileNumber: Number(m[1]),
        lastSequence: BigInt(m[2]!),
        prevLogNumber: Number(m[3]),
        maxColumnFamily: Number(m[4]),
        minLogNumberToKeep: Number(m[5]),
      };
    }
  }
  throw new Error(`no summary line in manifest_dump output:\n${text.slice(-2000)}`);
}

const crcs = await loadChecksums();

/**
 * A log writer as db/log_writer.cc frames records: fragments never cross a 32 KiB block; fewer
 * than 7 bytes left in a block are zero-filled.
 */
export class TestLogWriter {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  private emit(type: number, payload: Uint8Array): void {
    const h = new Uint8Array(LOG_HEADER_SIZE);
    h[4] = payload.length & 0xff;
    h[5] = payload.length >> 8;
    h[6] = type;
    const crc = maskCrc(crcs.crc32c(h.subarray(6), payload));
    new DataView(h.buffer).setUint32(0, crc, true);
    this.chunks.push(h, payload);
    this.size += LOG_HEADER_SIZE + payload.length;
  }

  /** Appends a physical record as is (tests of odd types). */
  raw(type: number, payload: Uint8Array): this {
    this.pad();
    this.emit(type, payload);
    return this;
  }

  private pad(): void {
    const left = LOG_BLOCK_SIZE - (this.size % LOG_BLOCK_SIZE);
    if (left < LOG_HEADER_SIZE) {
      this.chunks.push(new Uint8Array(left));
      this.size += left;
    }
  }

  add(record: Uint8Array): this {
    let p = 0;
    let first = true;
    do {
      this.pad();
      const avail = LOG_BLOCK_SIZE - (this.size % LOG_BLOCK_SIZE) - LOG_HEADER_SIZE;
      const n = Math.min(avail, record.length - p);
      const last = p + n === record.length;
      this.emit(first && last ? 1 : first ? 2 : last ? 4 : 3, record.subarray(p, p + n));
      p += n;
      first = false;
    } while (p < record.length);
    return this;
  }

  bytes(): Uint8Array {
    return concatBytes(this.chunks);
  }
}

/** Minimal VersionEdit encoder for hand-made MANIFESTs (varints, length-prefixed fields). */
export class EditWriter {
  private readonly out: number[] = [];

  varint(v: number | bigint): this {
    let x = BigInt(v);
    while (x >= 0x80n) {
      this.out.push(Number(x & 0x7fn) | 0x80);
      x >>= 7n;
    }
    this.out.push(Number(x));
    return this;
  }

  bytes(b: Uint8Array | string): this {
    const u = typeof b === 'string' ? new TextEncoder().encode(b) : b;
    this.varint(u.length);
    for (const x of u) this.out.push(x);
    return this;
  }

  /** A length-prefixed internal key. */
  ikey(user: string, seq: number, type: number): this {
    const u = new TextEncoder().encode(user);
    const b = new Uint8Array(u.length + 8);
    b.set(u);
    new DataView(b.buffer).setBigUint64(u.length, (BigInt(seq) << 8n) | BigInt(type), true);
    return this.bytes(b);
  }

  done(): Uint8Array {
    return Uint8Array.from(this.out);
  }
}
