import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { corpusEntries, HAVE_CORPUS } from '../../format/test/support/corpus.js';
import { compareMinor, upgradeCheck, type UpgradeReport } from '../src/index.js';
import { factsOf } from './support.js';

/**
 * Every real snapshot of the third-party corpus (read in place), checked against Flink 2.3: no
 * crash, the writer guessed from the files agrees with the corpus' own guess, and no Kryo-5 data
 * of a 2.x writer is flagged. Prints the counts by verdict.
 */
describe.skipIf(!HAVE_CORPUS)('flink corpus against 2.3', () => {
  const entries = corpusEntries();
  const reports = new Map<string, UpgradeReport>();

  it.each(entries.map((e) => [e.id, e] as const))('%s', async (_id, e) => {
    const facts = await factsOf(dirname(e.file));
    expect(facts.metadataVersion).toBe(e.version);
    const r = upgradeCheck(facts, '2.3');
    reports.set(e.id, r);
    const guess = e.row.flink_version_guess ?? '';
    if (/^\d+\.\d+$/.test(guess) && compareMinor(guess, '1.7') >= 0) expect(r.writers.releases).toContain(guess);
    if (e.version >= 5) expect(r.findings.filter((f) => f.rule === 'kryo-bytes')).toEqual([]);
    for (const f of r.findings) expect(f.action.length).toBeGreaterThan(0);
  });

  it('counts by verdict', () => {
    const counts: Record<string, number> = {};
    for (const r of reports.values()) counts[r.verdict] = (counts[r.verdict] ?? 0) + 1;
    console.log(`corpus vs 2.3 (${reports.size} snapshots): ${JSON.stringify(counts)}`);
    expect(reports.size).toBe(entries.length);
  });
});
