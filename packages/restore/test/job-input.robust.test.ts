import { describe, expect, it } from 'vitest';
import { refusalOf, robustSuite } from '../../../fuzz/src/robust-suite.js';
import { normalizeJob, parseJobInput, RestoreError } from '../src/index.js';

// stored crashers, a truncation-sweep sample, mutation and hostile-length properties (see fuzz/README.md)
robustSuite(['job'], { runs: 500 });

const refusal = (text: string) => refusalOf(RestoreError, () => normalizeJob(parseJobInput(text)));

describe('job description refusals name an offset', () => {
  it('JSON syntax errors give the position in the original text (leading whitespace included)', async () => {
    expect((await refusal('  {"vertices": [}')).offset).toBe(2 + 14);
    expect((await refusal('{"vertices": [')).offset).toBe(14);
  });
  it('a bad uid=parallelism item gives its offset', async () => {
    const text = 'source=1\n  keyed=3/128, sink=x # comment';
    const e = await refusal(text);
    expect(e.offset).toBe(text.indexOf('sink=x'));
  });
  it('nesting 100 000 levels deep is a typed refusal', async () => {
    const e = await refusal(`{"vertices": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(e.code).toBe('InvalidJobDescription');
  });
});
