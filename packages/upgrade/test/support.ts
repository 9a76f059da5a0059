import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCheckpointState } from '@ckpt/state/node';
import { Storages } from '@ckpt/storage';
import { collectFacts, type SnapshotFacts } from '../src/index.js';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const generated = join(root, 'fixtures/generated');

/** The directory holding the (first) `_metadata` below a fixture scenario. */
export function checkpointDir(dir: string): string {
  if (readdirSync(dir).includes('_metadata')) return dir;
  for (const n of readdirSync(dir).sort()) {
    const p = join(dir, n);
    if (statSync(p).isDirectory() && !n.startsWith('.')) {
      try {
        return checkpointDir(p);
      } catch {
        /* look further */
      }
    }
  }
  throw new Error(`no _metadata below ${dir}`);
}

/** Facts of a checkpoint directory, state headers read from its files. */
export async function factsOf(dir: string): Promise<SnapshotFacts> {
  const storages = new Storages();
  try {
    const { metadata, resolver } = await loadCheckpointState(dir, { storages });
    return await collectFacts(metadata, { resolve: (h) => resolver.resolve(h) });
  } finally {
    await storages.close();
  }
}

/** Every generated fixture: [flink version, scenario, checkpoint dir]. */
export function fixtures(): [string, string, string][] {
  return readdirSync(generated)
    .sort()
    .flatMap((v) => readdirSync(join(generated, v)).sort().map((s): [string, string, string] => [v, s, checkpointDir(join(generated, v, s))]));
}
