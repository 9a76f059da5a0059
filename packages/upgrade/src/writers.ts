import type { SnapshotFacts } from './facts.js';
import { RELEASES, type Release } from './releases.js';

/** Which releases could have written the snapshot, and what the guess rests on. */
export interface Writers {
  releases: Release[];
  /** `1.18–1.20`, `2.0`, or `newer than 2.3`. */
  label: string;
  /** What narrowed the guess, e.g. `_metadata V4`, `operator proxy 6`, `handle code 15`. */
  evidence: string[];
  /** The file-header facts contradict each other (or no known release writes this version). */
  inconsistent: boolean;
}

export function rangeLabel(rs: readonly Release[]): string {
  if (rs.length === 0) return 'unknown';
  return rs.length === 1 ? rs[0]!.minor : `${rs[0]!.minor}–${rs[rs.length - 1]!.minor}`;
}

/**
 * The releases whose writers produce what the files show: the `_metadata` version, the keyed
 * and operator proxy versions of the state files, and handle codes (each known since a release).
 */
export function inferWriters(f: SnapshotFacts): Writers {
  const byMeta = RELEASES.filter((r) => r.metadata.writes === f.metadataVersion);
  const newest = RELEASES[RELEASES.length - 1]!;
  if (byMeta.length === 0) {
    const label = f.metadataVersion > newest.metadata.writes ? `newer than ${newest.minor}` : 'unknown';
    return { releases: [], label, evidence: [`_metadata V${f.metadataVersion}`], inconsistent: true };
  }
  const evidence = [`_metadata V${f.metadataVersion}`];
  const keyed = [...new Set(f.operators.flatMap((o) => o.keyedProxyVersions))];
  const operator = [...new Set(f.operators.flatMap((o) => o.operatorProxyVersions))];
  const maxCode = Math.max(0, ...f.handleCodes.map((h) => h.code));
  let rs = byMeta;
  const narrow = (what: string, keep: (r: Release) => boolean) => {
    const next = rs.filter(keep);
    if (next.length < rs.length) evidence.push(what);
    rs = next;
  };
  for (const v of keyed) narrow(`keyed proxy ${v}`, (r) => r.keyedProxy.writes === v);
  for (const v of operator) narrow(`operator proxy ${v}`, (r) => r.operatorProxy.writes === v);
  narrow(`handle code ${maxCode}`, (r) => r.handleCodes.includes(maxCode));
  if (rs.length === 0) return { releases: byMeta, label: rangeLabel(byMeta), evidence, inconsistent: true };
  return { releases: rs, label: rangeLabel(rs), evidence, inconsistent: false };
}
