import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Fixtures written by real Flink through `conformance/` (committed under fixtures/generated). */
export const GENERATED_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../fixtures/generated');

export interface GeneratedFixture {
  flinkVersion: string;
  scenario: string;
  dir: string;
  metadataFile: string;
  manifest: {
    metadataVersion?: number;
    snapshot?: string;
    format?: string;
    checkpointId?: string;
    operators?: { uid?: string; name?: string; operatorId: string; parallelism: number; maxParallelism: number }[];
    [k: string]: unknown;
  };
}

/** The `_metadata` somewhere below `dir` (checkpoints keep it in `<job>/chk-N/`). */
export function findMetadata(dir: string): string | undefined {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === '_metadata') return p;
    if (statSync(p).isDirectory()) {
      const found = findMetadata(p);
      if (found) return found;
    }
  }
  return undefined;
}

export function generatedFixtures(): GeneratedFixture[] {
  if (!existsSync(GENERATED_DIR)) return [];
  const out: GeneratedFixture[] = [];
  for (const flinkVersion of readdirSync(GENERATED_DIR).sort()) {
    const vdir = join(GENERATED_DIR, flinkVersion);
    if (!statSync(vdir).isDirectory()) continue;
    for (const scenario of readdirSync(vdir).sort()) {
      const dir = join(vdir, scenario);
      const manifestFile = join(dir, 'manifest.json');
      if (!existsSync(manifestFile)) continue;
      const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as GeneratedFixture['manifest'];
      const metadataFile =
        typeof manifest.metadataPath === 'string' && existsSync(join(dir, manifest.metadataPath))
          ? join(dir, manifest.metadataPath)
          : findMetadata(dir);
      if (metadataFile) out.push({ flinkVersion, scenario, dir, metadataFile, manifest });
    }
  }
  return out;
}
