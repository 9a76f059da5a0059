/**
 * What RocksDB's own tools say about SST files, parsed: `sst_dump --command=scan --output_hex
 * --show_properties` (point entries and table properties per file; it does not print range
 * tombstones) and `ldb list_file_range_deletes` (range tombstones per file, with sequence numbers).
 */
import { resolve } from 'node:path';
import { run } from './rocksdb-tools.js';

/** One internal entry as the oracle prints it (hex lowercase; type as RocksDB's ValueType name). */
export interface OracleEntry {
  key: string;
  seq: string;
  type: string;
  value: string;
}

/** One file as sst_dump reports it. */
export interface DumpedFile {
  entries: OracleEntry[];
  /** "Table Properties" lines: label → text. */
  props: Map<string, string>;
  /** "Raw user collected properties": name → hex (0x…). */
  userProps: Map<string, string>;
}

/** RocksDB ValueType codes → the names of `tableEntries`. */
export const TYPE_NAMES: Record<string, string> = { '0': 'delete', '1': 'put', '2': 'merge', '7': 'singleDelete', '15': 'rangeDelete' };

const ENTRY = /^'([0-9A-F]*)' seq:(\d+), type:(\d+) => ([0-9A-F]*)$/;

/** Scans every SST of `dir` with one sst_dump process; keyed by absolute path. */
export function sstDumpDir(dir: string): Map<string, DumpedFile> {
  const out = new Map<string, DumpedFile>();
  let cur: DumpedFile | undefined;
  let section: 'props' | 'user' | undefined;
  for (const line of run('sst_dump', [`--file=${dir}/`, '--command=scan', '--output_hex', '--show_properties']).split('\n')) {
    if (line.startsWith('Process ')) {
      cur = { entries: [], props: new Map(), userProps: new Map() };
      out.set(resolve(line.slice('Process '.length)), cur);
      section = undefined;
      continue;
    }
    if (cur === undefined) continue;
    const m = ENTRY.exec(line);
    if (m !== null) {
      cur.entries.push({ key: m[1]!.toLowerCase(), seq: m[2]!, type: TYPE_NAMES[m[3]!] ?? `type-${m[3]}`, value: m[4]!.toLowerCase() });
    } else if (line === 'Table Properties:') section = 'props';
    else if (line.startsWith('  Raw user collected properties')) section = 'user';
    else if (line.startsWith('  ') && section !== undefined) {
      const at = line.indexOf(': ');
      const label = (at < 0 ? line.replace(/:$/, '') : line.slice(0, at)).trim();
      const value = at < 0 ? '' : line.slice(at + 2).trimEnd();
      if (section === 'props') cur.props.set(label, value);
      else cur.userProps.set(label.replace(/^# /, ''), value);
    }
  }
  return out;
}

/** The range tombstones of every SST of one column family: absolute path → entries. */
export function rangeDeletes(dbDir: string, cf: string): Map<string, OracleEntry[]> {
  const out = new Map<string, OracleEntry[]>();
  let cur: OracleEntry[] | undefined;
  for (const line of run('ldb', [`--db=${dbDir}`, `--column_family=${cf}`, 'list_file_range_deletes']).split('\n')) {
    const file = /^=== file : (.*) ===$/.exec(line);
    if (file !== null) {
      cur = [];
      out.set(resolve(file[1]!), cur);
      continue;
    }
    const m = /^start: ([0-9A-F]*) end: ([0-9A-F]*) seq: (\d+)$/.exec(line.trim());
    if (m !== null && cur !== undefined) cur.push({ key: m[1]!.toLowerCase(), seq: m[3]!, type: 'rangeDelete', value: m[2]!.toLowerCase() });
  }
  return out;
}

/** `index block size (user-key? 1, delta-value? 0)` → the three numbers. */
export function indexSizeLabel(props: Map<string, string>): { size: number; userKey: number; delta: number } | undefined {
  for (const [label, v] of props) {
    const m = /^index block size \(user-key\? (\d), delta-value\? (\d)\)$/.exec(label);
    if (m !== null) return { size: Number(v), userKey: Number(m[1]), delta: Number(m[2]) };
  }
  return undefined;
}
