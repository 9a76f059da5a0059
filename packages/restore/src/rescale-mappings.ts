import { oldSubtasksFor } from './channel-state.js';
import type { SubtaskStateMapperName } from './job.js';

/**
 * Flink's `RescaleMappings`: for every new subtask (source) the old subtasks (targets) whose
 * in-flight data it reads. Identity mappings keep no table (as in Flink); non-identity tables are
 * cut after the last non-empty entry.
 */
export interface RescaleMappings {
  /** Number of sources (new subtasks; `2147483647` for Flink's symmetric identity). */
  sources: number;
  /** Number of targets (old subtasks). */
  targets: number;
  identity: boolean;
  /** Empty for identity mappings. */
  mappings: number[][];
}

const INT_MAX = 2147483647;

/** Flink's `RescaleMappings.SYMMETRIC_IDENTITY` (used by gates without in-flight data). */
export const SYMMETRIC_IDENTITY: RescaleMappings = { sources: INT_MAX, targets: INT_MAX, identity: true, mappings: [] };

/** `RescaleMappings.of`: recognises the identity, trims trailing empty entries. */
export function rescaleMappingsOf(perSource: number[][], targets: number): RescaleMappings {
  const identity =
    perSource.length >= targets &&
    perSource.every((t, s) => (s < targets ? t.length === 1 && t[0] === s : t.length === 0));
  if (identity) return { sources: perSource.length, targets, identity: true, mappings: [] };
  let last = perSource.length - 1;
  while (last >= 0 && perSource[last]!.length === 0) last--;
  return { sources: perSource.length, targets, identity: false, mappings: perSource.slice(0, last + 1) };
}

/** `SubtaskStateMapper.getNewToOldSubtasksMapping` (throws for UNSUPPORTED). */
export function newToOldMapping(mapper: SubtaskStateMapperName, oldParallelism: number, newParallelism: number): RescaleMappings {
  const per = Array.from({ length: newParallelism }, (_, n) => oldSubtasksFor(mapper, n, oldParallelism, newParallelism));
  return rescaleMappingsOf(per, oldParallelism);
}

/** `SubtaskStateMapper.isAmbiguous`. */
export function isAmbiguousMapper(mapper: SubtaskStateMapperName): boolean {
  return mapper === 'FULL' || mapper === 'RANGE';
}

/** `RescaleMappings.getMappedIndexes`. */
export function mappedIndexes(m: RescaleMappings, source: number): number[] {
  if (m.identity) return source < m.targets ? [source] : [];
  return m.mappings[source] ?? [];
}

/** `RescaleMappings.getAmbiguousTargets`, sorted. */
export function ambiguousTargets(m: RescaleMappings): number[] {
  if (m.identity) return [];
  const used = new Set<number>();
  const amb = new Set<number>();
  for (const ts of m.mappings) for (const t of ts) (used.has(t) ? amb : used).add(t);
  return [...amb].sort((a, b) => a - b);
}

/** `RescaleMappings.equals`: class (identity or not) and table. */
export function sameMappings(a: RescaleMappings, b: RescaleMappings): boolean {
  return a.identity === b.identity && JSON.stringify(a.mappings) === JSON.stringify(b.mappings);
}

/** `RescaleMappings.toString`, as Flink prints it in messages. */
export function mappingsToString(m: RescaleMappings): string {
  if (m.identity) return `IdentityRescaleMappings{${m.sources}->[]}`;
  return `RescaleMappings{mappings=[${m.mappings.map((t) => `[${t.join(', ')}]`).join(', ')}]}`;
}
