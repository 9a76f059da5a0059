import { readFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { expect } from 'vitest';
import { collectBytes, decodeMetadata, type CheckpointMetadata, type KeyedStateHandle, type OperatorState } from '@ckpt/format';
import { localPathOf, StorageSource, Storages } from '@ckpt/storage';
import {
  HandleResolver,
  KeyedStateFile,
  streamCanonicalKeyedState,
  writeCanonicalKeyedState,
  type KeyedStateEntry,
  type MovedEntries,
  type RawKeyedSource,
  type SnappyFraming,
  type StreamedEntries,
} from '../src/index.js';
import { storageResolver } from '../src/node/index.js';

export const GENERATED = join(import.meta.dirname, '../../../fixtures/generated');

export interface Fixture {
  version: string;
  scenario: string;
  dir: string;
  manifest: any;
  metadata: CheckpointMetadata;
  resolver: HandleResolver;
}

export function versions(): string[] {
  return existsSync(GENERATED) ? readdirSync(GENERATED).filter((v) => /^\d+\.\d+\.\d+$/.test(v)).sort() : [];
}

/** Loads a generated fixture through its manifest (file names are resolved via `_metadata`). */
export function loadFixture(version: string, scenario: string): Fixture | undefined {
  const dir = join(GENERATED, version, scenario);
  const mf = join(dir, 'manifest.json');
  if (!existsSync(mf)) return undefined;
  const manifest = JSON.parse(readFileSync(mf, 'utf8'));
  const metaPath = join(dir, manifest.metadataPath ?? '_metadata');
  if (!existsSync(metaPath)) return undefined;
  const metadata = decodeMetadata(new Uint8Array(readFileSync(metaPath)));
  // Checkpoints hold absolute paths of where the generator ran (manifest.generatedIn): rebase them
  // onto this checkout, so the tests read these files wherever the repository is cloned.
  const writtenAt = typeof manifest.generatedIn === 'string' ? localPathOf(manifest.generatedIn)!.replace(/\/?$/, '/') : undefined;
  const storages = new Storages();
  const open = (uri: string) => {
    const p = localPathOf(uri)!;
    return new StorageSource(storages, writtenAt && p.startsWith(writtenAt) ? join(dir, p.slice(writtenAt.length)) : p);
  };
  return { version, scenario, dir, manifest, metadata, resolver: new HandleResolver({ metadataDir: dirname(metaPath), open }) };
}

export function operatorByUid(f: Fixture, uid: string): OperatorState {
  const m = f.manifest.operators?.find((o: any) => o.uid === uid);
  const op = f.metadata.operators.find((o) => (m ? o.operatorId === m.operatorId : o.uid === uid));
  if (!op) throw new Error(`operator ${uid} not in ${f.version}/${f.scenario}`);
  return op;
}

/** bigint → number, Map → object, TTL wrapper → inner value: the manifest's JSON shape. */
export function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(plain(k)), plain(x)]));
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object' && (v as { kind?: string }).kind === 'ttl') return plain((v as { value: unknown }).value);
  return v;
}

/**
 * The keyed state files (heap / canonical key-group handles) of a corpus `_metadata` that hold a
 * state named `state`, every subtask of every operator, with their entries.
 */
export async function corpusKeyedState(metadataPath: string, state: string): Promise<{ files: KeyedStateFile[]; entries: KeyedStateEntry[] }> {
  const metadata = decodeMetadata(new Uint8Array(readFileSync(metadataPath)));
  const resolver = storageResolver(dirname(metadataPath));
  const files: KeyedStateFile[] = [];
  const entries: KeyedStateEntry[] = [];
  for (const op of metadata.operators) {
    for (const s of op.subtasks) {
      const h = s.managedKeyedState as Extract<KeyedStateHandle, { delegate: unknown }> | null;
      if (!h) continue;
      const file = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
      if (!file.header.states.some((m) => m.name === state)) continue;
      files.push(file);
      for await (const e of file.entries()) entries.push(e);
    }
  }
  return { files, entries };
}

/**
 * Value serializers of the Scala StatefulJobSavepointMigrationITCase job (Flink's flink-tests),
 * as `describeSnapshot` names them, whatever Flink version wrote the savepoint.
 */
export const SCALA_MIGRATION_JOB_TYPES = {
  caseClassState: 'CustomCaseClass(String, Long)',
  caseClassWithNestingState: 'CustomCaseClassWithNesting(Long, CustomCaseClass(String, Long))',
  optionState: 'Option<CustomCaseClass(String, Long)>',
  tryState: 'Try<CustomCaseClass(String, Long)>',
  eitherLeftState: 'Either<CustomCaseClass(String, Long), String>',
  enumOneState: 'org.apache.flink.api.scala.migration.CustomEnum$',
};

/** Fresh raw sources (each readable once) of the `keyed` operator's old key-group files, and its max parallelism. */
export function rawSources(f: Fixture): { maxParallelism: number; open: () => Promise<RawKeyedSource[]> } {
  const op = f.metadata.operators.find((o) => o.uid === 'keyed')!;
  type KeyGroupsHandle = Extract<KeyedStateHandle, { kind: 'keyGroups' | 'savepointKeyGroups' }>;
  const handles = op.subtasks.map((s) => s.managedKeyedState as KeyGroupsHandle | null).filter((h): h is KeyGroupsHandle => h !== null);
  const open = () =>
    Promise.all(
      handles.map(async (h, i) => {
        const kf = await KeyedStateFile.open(h, f.resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
        return { name: `subtask ${i}`, header: kf.header, keyGroups: kf.rawKeyGroups() };
      }),
    );
  return { maxParallelism: op.maxParallelism, open };
}

/**
 * Writes every streamed subtask and the in-memory mover's same subtask and expects the same bytes,
 * offsets and key-group counts; gives the entries streamed.
 */
export async function expectMoverBytes(moved: MovedEntries, streamed: StreamedEntries, maxParallelism: number, compressed: boolean, framing: SnappyFraming): Promise<number> {
  let total = 0;
  for (const [i, st] of streamed.subtasks.entries()) {
    const layout = { header: moved.header.raw, keyGroupStart: st.start, keyGroupCount: st.count, maxParallelism, compressed, framing };
    const want = writeCanonicalKeyedState({ ...layout, keyGroups: moved.subtasks[i]!.keyGroups });
    const got = streamCanonicalKeyedState({ ...layout, keyGroups: st.keyGroups });
    expect(Buffer.from(await collectBytes(got.chunks)).equals(Buffer.from(want.bytes))).toBe(true);
    expect(got.offsets).toEqual(want.offsets);
    expect(st.stats.keyGroupsWithData).toBe(moved.subtasks[i]!.keyGroups.size);
    total += st.stats.entries;
  }
  return total;
}
