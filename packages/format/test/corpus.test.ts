import { describe, expect, it } from 'vitest';
import { decodeMetadata, encodeMetadata, fromJson, toJson, FormatError } from '../src/index.js';
import { corpusEntries, HAVE_CORPUS, readCorpusFile } from './support/corpus.js';

const entries = corpusEntries();

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;
}

describe.skipIf(!HAVE_CORPUS)('real Flink _metadata corpus', () => {
  it('has files of every released version 1..6', () => {
    const versions = new Set(entries.map((e) => e.version));
    for (const v of [1, 2, 3, 4, 5, 6]) expect(versions.has(v)).toBe(true);
  });

  it.each(entries.map((e) => [`${e.id} (v${e.version})`, e] as const))(
    '%s decodes, re-encodes byte-exactly and survives JSON',
    (_name, e) => {
      const bytes = readCorpusFile(e);
      const meta = decodeMetadata(bytes, { file: e.file });
      expect(meta.version).toBe(e.version);
      expect(meta.checkpointId).toBe(BigInt(e.row.checkpoint_id!));
      expect(meta.operators.length).toBe(Number(e.row.operators));
      expect(meta.masterStates.length).toBe(Number(e.row.master_states || 0));
      expect(meta.input?.byteLength).toBe(bytes.length);
      expect(meta.input?.sha256).toBe(e.row.sha256_of_metadata);
      expect(equalBytes(encodeMetadata(meta), bytes)).toBe(true);

      const json = JSON.parse(JSON.stringify(toJson(meta)));
      const back = fromJson(json);
      expect(equalBytes(encodeMetadata(back), bytes)).toBe(true);
      const { input: _a, ...m1 } = meta;
      const { input: _b, ...m2 } = back;
      expect(m2).toEqual(m1);
    },
  );

  it('reports the snapshot type from the trailer where the manifest knows it', () => {
    for (const e of entries) {
      const t = e.row.snapshot_type;
      if (!t) continue;
      const meta = decodeMetadata(readCorpusFile(e));
      const view = meta.properties?.view;
      expect(view, e.id).toBeTruthy();
      if (t === 'CheckpointType') expect(view!.snapshotType.kind).toBe('checkpoint');
      else {
        expect(view!.snapshotType.kind).toBe('savepoint');
        expect(view!.snapshotType.formatType).toBe(t.split(':')[1]);
      }
    }
  });

  it('names the file, offset and path when a real file is damaged', () => {
    const e = entries.find((x) => x.version === 6)!;
    const bytes = readCorpusFile(e).slice(0, 200);
    try {
      decodeMetadata(bytes, { file: e.file });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(FormatError);
      const f = err as FormatError;
      expect(f.code).toBe('Truncated');
      expect(f.file).toBe(e.file);
      expect(f.offset).toBeGreaterThan(8);
      expect(f.path).toMatch(/^operators\[\d+\]/);
      expect(f.message).toContain(e.file);
    }
  });
});
