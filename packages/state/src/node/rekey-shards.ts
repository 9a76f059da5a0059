import { collectBytes } from '@ckpt/format';
import { fileUriOf, joinUri, type Storages } from '@ckpt/storage';
import { StateError } from '../errors.js';
import type { ShardSpec } from '../rekey/shards.js';
import type { WrittenPart } from './rekey-operator.js';

/** The file a shard writes last, next to its part files: what it converted, from what, how. */
export const SHARD_MANIFEST = '_shard.json';

/** The options that decide the bytes of a conversion; every shard and the assembly must agree on them. */
export interface ShardOptions {
  /** null: each operator keeps its own. */
  maxParallelism: number | null;
  parallelism: number | null;
  /** Operator ids chosen (sorted), or null for all. */
  operators: string[] | null;
  compress: boolean | null;
  /** Class of the key serializer snapshot given for changelog state, or null. */
  keySerializer: string | null;
}

export interface ShardManifest {
  format: 'ckpt-rekey-shard';
  version: 1;
  shard: number;
  shards: number;
  input: { metadata: string; sha256: string };
  options: ShardOptions;
  parts: WrittenPart[];
}

export function encodeShardManifest(m: ShardManifest): Uint8Array {
  const json = JSON.stringify(m, (_k, v) => (typeof v === 'bigint' ? v.toString() : v), 2);
  return new TextEncoder().encode(`${json}\n`);
}

const mismatch = (dir: string, what: string) => new StateError('ShardMismatch', `shard in ${dir}: ${what}`, { file: dir });

function parseManifest(dir: string, bytes: Uint8Array): ShardManifest {
  let m: ShardManifest;
  try {
    m = JSON.parse(new TextDecoder().decode(bytes)) as ShardManifest;
  } catch (e) {
    throw new StateError('BadValue', `${SHARD_MANIFEST} is not JSON`, { file: joinUri(dir, SHARD_MANIFEST), cause: e });
  }
  const int = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;
  if (m?.format !== 'ckpt-rekey-shard' || m.version !== 1 || !int(m.shard) || !int(m.shards) || m.shard >= m.shards || !Array.isArray(m.parts) || typeof m.input?.sha256 !== 'string') {
    throw new StateError('BadValue', `${SHARD_MANIFEST} is not a ckpt rekey shard manifest (format ckpt-rekey-shard, version 1)`, { file: joinUri(dir, SHARD_MANIFEST) });
  }
  for (const p of m.parts) {
    if (typeof p.file !== 'string' || !int(p.size) || !Array.isArray(p.offsets) || (p.kind !== 'keyGroups' && p.kind !== 'savepointKeyGroups')) throw mismatch(dir, `a part entry is malformed: ${JSON.stringify(p).slice(0, 200)}`);
    p.offsets = p.offsets.map((o) => BigInt(o as unknown as string));
  }
  return m;
}

/** Reads the shard manifest of each directory (local paths or storage URIs). */
export async function readShards(dirs: readonly string[], storages: Storages): Promise<{ dir: string; manifest: ShardManifest }[]> {
  const out: { dir: string; manifest: ShardManifest }[] = [];
  for (const d of dirs) {
    const dir = fileUriOf(d);
    const { storage, path } = await storages.locate(joinUri(dir, SHARD_MANIFEST));
    if ((await storage.stat(path)) === undefined) {
      throw new StateError('MissingShard', `${dir} holds no ${SHARD_MANIFEST}: not a finished shard (a shard writes it last)`, { file: dir });
    }
    out.push({ dir, manifest: parseManifest(dir, await collectBytes(storage.read(path))) });
  }
  return out;
}

/** A part as the assembly expects it: operator, new subtask, key groups. */
export type ExpectedPart = Pick<WrittenPart, 'operatorId' | 'index' | 'start' | 'count'>;

/**
 * Checks that the shards are exactly shards 0..n-1 of one conversion of this input with these
 * options, each holding the parts of its slice, and returns them in shard order.
 */
export function checkShards(
  shards: readonly { dir: string; manifest: ShardManifest }[],
  expected: { sha256: string; options: ShardOptions; partsOf(shard: ShardSpec): ExpectedPart[] },
): { dir: string; manifest: ShardManifest }[] {
  if (shards.length === 0) throw new StateError('MissingShard', 'no shard directories given');
  const n = shards[0]!.manifest.shards;
  const bySlot = new Map<number, { dir: string; manifest: ShardManifest }>();
  const wantOptions = JSON.stringify(expected.options);
  for (const s of shards) {
    const m = s.manifest;
    if (m.shards !== n) throw mismatch(s.dir, `it is shard ${m.shard}/${m.shards}, the first one given is of ${n} shards`);
    if (m.input.sha256 !== expected.sha256) throw mismatch(s.dir, `it was made from another _metadata (${m.input.metadata}, sha256 ${m.input.sha256.slice(0, 12)}…)`);
    if (JSON.stringify(m.options) !== wantOptions) throw mismatch(s.dir, `it was made with other options (${JSON.stringify(m.options)}; here ${wantOptions})`);
    const twin = bySlot.get(m.shard);
    if (twin) throw new StateError('DuplicateShard', `shard ${m.shard}/${n} is in both ${twin.dir} and ${s.dir}`, { file: s.dir });
    bySlot.set(m.shard, s);
  }
  const missing = [...Array(n).keys()].filter((i) => !bySlot.has(i));
  if (missing.length) throw new StateError('MissingShard', `shard(s) ${missing.map((i) => `${i}/${n}`).join(', ')} missing; ${bySlot.size} of ${n} given`);
  const ordered = [...Array(n).keys()].map((i) => bySlot.get(i)!);
  for (const s of ordered) {
    const want = expected.partsOf({ index: s.manifest.shard, count: n }).map((p) => `${p.operatorId}/${p.index}/${p.start}+${p.count}`);
    const got = s.manifest.parts.map((p) => `${p.operatorId}/${p.index}/${p.start}+${p.count}`);
    if (JSON.stringify(want) !== JSON.stringify(got)) throw mismatch(s.dir, `it holds parts ${got.join(' ') || 'none'}, its slice is ${want.join(' ') || 'none'}`);
  }
  return ordered;
}
