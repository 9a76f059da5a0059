import { RocksError } from '../errors.js';

/** A flat section of an OPTIONS file: option name → value, as written. */
export type OptionsSection = Record<string, string>;

/** An `OPTIONS-<number>` file of RocksDB (utilities/options/options_parser.cc), as plain objects. */
export interface OptionsFile {
  /** `[Version]`: `rocksdb_version`, `options_file_version`. */
  version: OptionsSection;
  /** `[DBOptions]`. */
  dbOptions: OptionsSection;
  /** `[CFOptions "name"]` per column family, in file order. */
  cfOptions: Record<string, OptionsSection>;
  /** `[TableOptions/<Type> "name"]` per column family: the table factory and its options. */
  tableOptions: Record<string, { type: string; options: OptionsSection }>;
  /** Sections of any other kind, by their header text. */
  other: Record<string, OptionsSection>;
}

const SECTION = /^\[([^\]\s"]+)(?:\s+"((?:[^"\\]|\\.)*)")?\]$/;

/**
 * Parses the INI text of an OPTIONS file into plain objects. Informative only: every SST is
 * self-describing, and no option here is needed to read the files. Values stay strings.
 */
export function parseOptionsFile(text: string, file = 'OPTIONS'): OptionsFile {
  const out: OptionsFile = { version: {}, dbOptions: {}, cfOptions: {}, tableOptions: {}, other: {} };
  let section: OptionsSection | undefined;
  let offset = 0;
  for (const raw of text.split('\n')) {
    const lineOffset = offset;
    offset += raw.length + 1;
    const line = raw.replace(/\r$/, '').trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('[')) {
      const m = SECTION.exec(line);
      if (!m) throw new RocksError('BadValue', `malformed section header ${JSON.stringify(line)}`, { file, offset: lineOffset });
      const kind = m[1]!;
      const name = m[2]?.replace(/\\(.)/g, '$1');
      section = {};
      if (kind === 'Version' && name === undefined) out.version = section;
      else if (kind === 'DBOptions' && name === undefined) out.dbOptions = section;
      else if (kind === 'CFOptions' && name !== undefined) out.cfOptions[name] = section;
      else if (kind.startsWith('TableOptions/') && name !== undefined) out.tableOptions[name] = { type: kind.slice('TableOptions/'.length), options: section };
      else out.other[line.slice(1, -1)] = section;
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || section === undefined) {
      throw new RocksError('BadValue', `expected "name=value" inside a section, got ${JSON.stringify(line)}`, { file, offset: lineOffset });
    }
    section[line.slice(0, eq).trim()] = line.slice(eq + 1).trim();
  }
  return out;
}
