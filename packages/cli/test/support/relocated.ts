import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { run } from '../../src/index.js';
import { findMetadata } from '../../../format/test/support/generated.js';

/**
 * A generated fixture's checkpoint (or savepoint) as `ckpt relocate --prefix` gives it: its own
 * files copied into a new directory with `_metadata`, and the absolute paths of the machine that
 * generated it (the manifest's `generatedIn`, e.g. shared RocksDB files) pointing at `dir` here.
 */
export async function relocatedFixture(dir: string): Promise<string> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { scenario: string; generatedIn: string };
  const out = join(mkdtempSync(join(tmpdir(), 'ckpt-relocated-')), manifest.scenario);
  const err: string[] = [];
  const code = await run(['relocate', dirname(findMetadata(dir)!), out, '--prefix', `${manifest.generatedIn.replace(/\/+$/, '')}=file:${dir}`], { out: () => {}, err: (s) => err.push(s) });
  if (code !== 0) throw new Error(`ckpt relocate ${dir} failed (${code}): ${err.join('\n')}`);
  return out;
}
