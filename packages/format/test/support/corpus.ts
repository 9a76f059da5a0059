import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The real-file corpus lives outside the repository (`../shared/fixtures/flink-corpus` next to
 * the checkout, or `$CKPT_CORPUS`). Tests read it in place and never copy it.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
export const CORPUS_DIR = process.env.CKPT_CORPUS ?? join(repoRoot, '..', 'shared', 'fixtures', 'flink-corpus');
export const HAVE_CORPUS = existsSync(join(CORPUS_DIR, 'MANIFEST.tsv'));

export interface CorpusEntry {
  id: string;
  version: number;
  flags: string[];
  file: string;
  row: Record<string, string>;
}

let announced = false;

/** Entries of MANIFEST.tsv; prints one line and returns [] when the corpus is absent. */
export function corpusEntries(): CorpusEntry[] {
  if (!HAVE_CORPUS) {
    if (!announced) console.log(`flink corpus not found at ${CORPUS_DIR}: corpus tests skipped`);
    announced = true;
    return [];
  }
  const [head, ...rows] = readFileSync(join(CORPUS_DIR, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  return rows.map((line) => {
    const cells = line.split('\t');
    const row = Object.fromEntries(cols.map((c, i) => [c, cells[i] ?? '']));
    return {
      id: row.id!,
      version: Number(row.version),
      flags: row.flags ? row.flags.split(',') : [],
      file: join(CORPUS_DIR, row.id!, '_metadata'),
      row,
    };
  });
}

export function readCorpusFile(e: CorpusEntry): Uint8Array {
  return new Uint8Array(readFileSync(e.file));
}

/** A V4+ corpus file's Java-serialized properties trailer, as split off by the decoder. */
export interface CorpusTrailer {
  id: string;
  version: number;
  release: string;
  snapshotType: string;
  /** Offset of the trailer in the file. */
  start: number;
  trailer: Uint8Array;
}

/** Trailers of all corpus files of versions 4 and later. */
export async function corpusTrailers(): Promise<CorpusTrailer[]> {
  const { decodeMetadata } = await import('../../src/index.js');
  return corpusEntries()
    .filter((e) => e.version >= 4)
    .map((e) => {
      const bytes = readCorpusFile(e);
      const trailer = decodeMetadata(bytes).properties!.raw;
      return {
        id: e.id,
        version: e.version,
        release: e.row.flink_version_guess ?? '',
        snapshotType: e.row.snapshot_type ?? '',
        start: bytes.length - trailer.length,
        trailer,
      };
    });
}
