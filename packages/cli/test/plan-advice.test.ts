import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ckpt } from './support/run.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
// source (operator state), source-filter and sink (no state), keyed (keyed state)
const SAMPLE = join(root, 'fixtures/generated/2.3.0/keyed-hashmap-savepoint');

describe('skew and key-group advice only where they matter', () => {
  it('plan: skew for the vertices that restore state, key groups and even-split advice for the keyed one only', async () => {
    const r = await ckpt(['plan', SAMPLE, '-p', '3']);
    expect(r.code).toBe(0);
    const facts = r.stdout.split('\n').filter((l) => /: skew |^advice |^ {2}\S/.test(l));
    expect(facts).toEqual([
      'keyed: skew 1.50 (max/mean bytes), key groups per subtask 42..43',
      'source: skew 3.00 (max/mean bytes)',
      'advice keyed: even key-group split at parallelism 1, 2, 4, 8, 16, 32, 64, 128; at most 128',
      '  parallelism 3 does not divide max parallelism 128: subtasks own 42 or 43 key groups',
    ]);
    // the subtask rows of the stateless vertices stay
    expect(r.stdout).toMatch(/^sink +2 /m);
  });

  it('plan --json: the same', async () => {
    const r = await ckpt(['plan', SAMPLE, '-p', '3', '--json']);
    const p = JSON.parse(r.stdout) as { skew: Record<string, number>; keyGroupBalance: Record<string, unknown>; advice: { vertex: string; evenParallelisms?: number[] }[] };
    expect(Object.keys(p.skew).sort()).toEqual(['keyed', 'source']);
    expect(Object.keys(p.keyGroupBalance)).toEqual(['keyed']);
    expect(p.advice.map((a) => a.vertex)).toEqual(['keyed']);
    expect(p.advice[0]!.evenParallelisms).toEqual([1, 2, 4, 8, 16, 32, 64, 128]);
  });

  it('report: no skew or key-group advice on the stateless sink', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ckpt-plan-advice-'));
    try {
      const out = join(dir, 'r.html');
      expect((await ckpt(['-q', 'report', SAMPLE, '-p', '3', '--out', out])).code).toBe(0);
      const html = readFileSync(out, 'utf8');
      const vertex = (v: string): string => {
        const m = new RegExp(`<details class="vertex" data-vertex="${v}"[^]*?</details>`).exec(html);
        expect(m, v).not.toBeNull();
        return m![0];
      };
      expect(vertex('keyed')).toMatch(/data-skew="1\.5"/);
      expect(vertex('keyed')).toContain('skew 1.50 (max/mean bytes)');
      expect(vertex('keyed')).toContain('Even key-group split at parallelism 1, 2, 4, 8, 16, 32, 64, 128; at most 128.');
      expect(vertex('source')).toContain('skew 3.00');
      expect(vertex('source')).not.toContain('Even key-group split');
      for (const v of ['sink', 'source-filter']) {
        expect(vertex(v)).not.toMatch(/skew \d|data-skew=|Even key-group split|key groups per subtask/);
        expect(vertex(v)).toContain('0 B in 3 subtasks');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
