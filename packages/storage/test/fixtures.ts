import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
export const FIXTURE_SAVEPOINTS = ['2.3.0/keyed-rocksdb-native-savepoint', '2.3.0/keyed-hashmap-savepoint'] as const;

const extracted = new Map<string, string>();

/**
 * Path of a Flink-written fixture under fixtures/generated. Falls back to the committed copy
 * (`git archive HEAD`, read-only) when the working tree is being regenerated.
 */
export function fixtureDir(name: string): string {
  const dir = join(REPO, 'fixtures', 'generated', name);
  if (existsSync(join(dir, '_metadata'))) return dir;
  let out = extracted.get(name);
  if (out === undefined) {
    out = mkdtempSync(join(tmpdir(), 'ckpt-fixture-'));
    const tar = execFileSync('git', ['-C', REPO, 'archive', 'HEAD', `fixtures/generated/${name}`]);
    execFileSync('tar', ['-x', '-C', out], { input: tar });
    extracted.set(name, out);
  }
  const d = join(out, 'fixtures', 'generated', name);
  if (!existsSync(join(d, '_metadata'))) throw new Error(`fixture ${name} not found`);
  return d;
}
