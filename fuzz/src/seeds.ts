/**
 * Seed inputs for the fuzz targets and the truncation sweep: the repository's generated fixtures
 * (`fixtures/generated`) and the real-file corpus (`../shared/fixtures/flink-corpus`, or
 * `$CKPT_CORPUS`), both read in place. State files are paired with the handle that points at them
 * in their checkpoint's `_metadata`, so the state readers see them as they would in use.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import {
  decodeMetadata,
  type CheckpointMetadata,
  type KeyedStateHandle,
  type OperatorStateHandle,
  type StreamStateHandle,
} from '@ckpt/format';

/** The checkout: the nearest directory up from the working directory holding pnpm-workspace.yaml. */
export const REPO_ROOT = (() => {
  let d = resolve(process.env.CKPT_REPO_ROOT ?? process.cwd());
  while (!existsSync(join(d, 'pnpm-workspace.yaml')) && dirname(d) !== d) d = dirname(d);
  return d;
})();
export const GENERATED_DIR = join(REPO_ROOT, 'fixtures/generated');
export const CORPUS_DIR = process.env.CKPT_CORPUS ?? join(REPO_ROOT, '..', 'shared', 'fixtures', 'flink-corpus');
// A worktree sits one level deeper than a clone beside shared/: also look there.
const CORPUS_CANDIDATES = [CORPUS_DIR, join(REPO_ROOT, '..', '..', 'shared', 'fixtures', 'flink-corpus')];

export function corpusDir(): string | undefined {
  return CORPUS_CANDIDATES.find((d) => existsSync(join(d, 'MANIFEST.tsv')));
}

/** Every `_metadata` file of the fixtures and the corpus. */
export function metadataFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name === '_metadata') out.push(p);
    }
  };
  if (existsSync(GENERATED_DIR)) walk(GENERATED_DIR);
  const corpus = corpusDir();
  if (corpus) walk(corpus);
  return out.sort();
}

/** How a state file is opened: the handle that names it, and the operator's max parallelism. */
export type StateContext =
  | { kind: 'operator'; handle: OperatorStateHandle; file: string; bytes: Uint8Array }
  | { kind: 'keyed'; handle: KeyedStateHandle; maxParallelism: number; file: string; bytes: Uint8Array };

/**
 * The bytes a stream handle names, found beside its `_metadata` (checkpoints hold the absolute
 * paths of the machine that wrote them; the files are stored next to `_metadata` under their
 * base name). `undefined` when the file is not there.
 */
function streamBytes(h: StreamStateHandle, metaDir: string): { file: string; bytes: Uint8Array } | undefined {
  if (h.kind === 'byteStream') return { file: `${metaDir}/<inline ${h.name}>`, bytes: h.data };
  const path =
    h.kind === 'file' ? h.path : h.kind === 'relativeFile' ? h.relativePath : h.kind === 'segmentFile' ? h.physicalPath : undefined;
  if (path === undefined) return undefined;
  const candidates = [join(metaDir, basename(path)), join(metaDir, path)];
  const found = candidates.find((c) => existsSync(c) && statSync(c).isFile());
  if (!found) return undefined;
  let bytes: Uint8Array = new Uint8Array(readFileSync(found));
  if (h.kind === 'segmentFile') bytes = bytes.subarray(Number(h.startPos), Number(h.startPos + h.size));
  return { file: found, bytes };
}

function decodeOrNull(file: string): CheckpointMetadata | null {
  try {
    return decodeMetadata(new Uint8Array(readFileSync(file)));
  } catch {
    return null; // corpus files the decoder rejects are seeds of the metadata target only
  }
}

/** Every state file reachable from a fixture or corpus `_metadata`, with its handle. */
export function stateContexts(): StateContext[] {
  const out: StateContext[] = [];
  const seen = new Set<string>();
  for (const metaFile of metadataFiles()) {
    const meta = decodeOrNull(metaFile);
    if (!meta) continue;
    const dir = dirname(metaFile);
    for (const op of meta.operators) {
      for (const s of op.subtasks) {
        for (const h of [s.managedOperatorState, s.rawOperatorState]) {
          if (!h) continue;
          const got = streamBytes(h.delegate, dir);
          if (!got || seen.has(`o:${got.file}`)) continue;
          seen.add(`o:${got.file}`);
          out.push({ kind: 'operator', handle: h, ...got });
        }
        for (const h of [s.managedKeyedState, s.rawKeyedState]) {
          if (!h || (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups')) continue;
          const got = streamBytes(h.delegate, dir);
          if (!got || seen.has(`k:${got.file}`)) continue;
          seen.add(`k:${got.file}`);
          out.push({ kind: 'keyed', handle: h, maxParallelism: op.maxParallelism, ...got });
        }
      }
    }
  }
  return out;
}

/** Job description seeds (ckpt JSON, a Flink REST plan, uid=p lines) in `fuzz/seeds/job`. */
export function jobFiles(): string[] {
  const dir = join(REPO_ROOT, 'fuzz/seeds/job');
  const out: string[] = [];
  const walk = (d: string) => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(json|txt)$/.test(name)) out.push(p);
    }
  };
  walk(dir);
  return out.sort();
}
