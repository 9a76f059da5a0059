/**
 * Every real SST written by Flink (the shared corpus: native savepoints and incremental
 * checkpoints of every conformance line, UUID-named shared files found by their footer magic) and
 * the repo's fixtures: opening and reading every entry verifies every block checksum, and the
 * entries read equal the table properties' counts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BytesSource, SstTable, tableEntries } from '@ckpt/rocksdb';
import { CORPUS_DIR, GENERATED_DIR, countsAsProperties, emptyCounts, findSsts } from './oracle/corpus.js';

const corpus = findSsts(CORPUS_DIR);
if (corpus.length === 0) console.log(`sst-corpus: ${CORPUS_DIR} is absent; only fixtures/generated is read`);
const generated = findSsts(GENERATED_DIR);

describe('real Flink SSTs', () => {
  it.each([
    ['the shared Flink corpus', corpus],
    ['fixtures/generated', generated],
  ])('%s: every block checksum verifies and the entries equal the property counts', async (label, files) => {
    if (label === 'the shared Flink corpus' && files.length === 0) return;
    expect(files.length).toBeGreaterThan(0);
    let entries = 0;
    const checksums = new Map<string, number>();
    const formats = new Map<number, number>();
    for (const file of files) {
      const table = await SstTable.open(new BytesSource(readFileSync(file), file), { verifyChecksums: true });
      const counts = emptyCounts();
      for await (const e of tableEntries(table)) counts[e.type]++;
      const p = table.properties;
      expect({ numEntries: p.numEntries, numDeletions: p.numDeletions, numMergeOperands: p.numMergeOperands, numRangeDeletions: p.numRangeDeletions ?? 0 }, file).toEqual(
        countsAsProperties(counts),
      );
      entries += countsAsProperties(counts).numEntries;
      checksums.set(table.checksumType, (checksums.get(table.checksumType) ?? 0) + 1);
      formats.set(table.formatVersion, (formats.get(table.formatVersion) ?? 0) + 1);
    }
    expect(entries).toBeGreaterThan(0);
    console.log(
      `sst-corpus: ${label}: ${files.length} SSTs, ${entries} entries; checksums ${[...checksums].map(([k, v]) => `${k} ${v}`).join(', ')}; format_version ${[...formats].map(([k, v]) => `${k}: ${v}`).join(', ')}`,
    );
  });

  it('corrupting a data block of a real SST is a BadChecksum error naming file and block', async () => {
    const file = (corpus[0] ?? generated[0])!;
    const bytes = new Uint8Array(readFileSync(file));
    bytes[2]! ^= 0x40; // inside the first data block, which starts at offset 0
    const bad = await SstTable.open(new BytesSource(bytes, file));
    await expect(
      (async () => {
        for await (const _ of tableEntries(bad)) void _;
      })(),
    ).rejects.toMatchObject({ code: 'BadChecksum', file, offset: 0 });
  });
});
