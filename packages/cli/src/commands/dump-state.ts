import { bytesToBase64, operatorIdFromUid, type OperatorState } from '@ckpt/format';
import { KeyedStateFile, OperatorStateFile } from '@ckpt/state';
import { loadCheckpointState } from '@ckpt/state/node';
import { Storages } from '@ckpt/storage';

export interface DumpStateOptions {
  operator: string;
  keyGroups?: string;
}

/** Finds a stored operator by uid, name, operator id or the id a uid hashes to. */
export function findOperator(ops: OperatorState[], ref: string): OperatorState | undefined {
  const id = ref.toLowerCase();
  return (
    ops.find((o) => o.uid === ref) ??
    ops.find((o) => o.operatorId === id) ??
    ops.find((o) => o.operatorId === operatorIdFromUid(ref)) ??
    ops.find((o) => o.name === ref)
  );
}

function parseKeyGroups(spec: string): [number, number] {
  const m = /^(\d+)(?:-(\d+))?$/.exec(spec);
  if (!m) throw new Error(`--key-groups expects a or a-b, got ${spec}`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a : Number(m[2]);
  if (b < a) throw new Error(`--key-groups ${spec}: end before start`);
  return [a, b];
}

/**
 * One JSON line: bigint as decimal strings, bytes as `{base64}`, Java maps (decoded as `Map`, keys of
 * any type) as `{map: [[key, value], …]}` in stored order, sets as `{set: […]}`.
 */
export function stateJsonLine(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return x.toString();
    if (x instanceof Uint8Array) return { base64: bytesToBase64(x) };
    if (x instanceof Map) return { map: [...x.entries()] };
    if (x instanceof Set) return { set: [...x.values()] };
    return x;
  });
}

/**
 * `ckpt dump-state <checkpoint> --operator <uid|id|name>`: the entries of an operator's state, one
 * JSON line each: keyed entries (key, namespace, value per state), then operator state elements.
 * With `--key-groups a-b` only those key groups are read (ranged reads by the handle's offsets), from
 * local disk or any storage URI.
 */
export async function dumpState(pointer: string, opts: DumpStateOptions, out: (s: string) => void): Promise<number> {
  const storages = new Storages();
  try {
    return await dump(pointer, opts, out, storages);
  } finally {
    await storages.close();
  }
}

async function dump(pointer: string, opts: DumpStateOptions, out: (s: string) => void, storages: Storages): Promise<number> {
  const { resolved, metadata: meta, resolver } = await loadCheckpointState(pointer, { storages });
  const file = resolved.metadataUri;
  const op = findOperator(meta.operators, opts.operator);
  if (!op) {
    const known = meta.operators.map((o) => o.uid ?? o.operatorId).join(', ');
    throw new Error(`no operator ${opts.operator} in ${file}; stored operators: ${known}`);
  }
  const range = opts.keyGroups === undefined ? undefined : parseKeyGroups(opts.keyGroups);
  for (const s of op.subtasks) {
    for (const [slot, h] of [['managed', s.managedKeyedState], ['raw', s.rawKeyedState]] as const) {
      if (h === null || slot === 'raw') continue;
      if (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups') {
        out(stateJsonLine({ subtask: s.index, note: `${h.kind} keyed state: entries are not decoded (RocksDB SST / changelog files)` }));
        continue;
      }
      const kf = await KeyedStateFile.open(h, resolver.resolve(h.delegate), { maxParallelism: op.maxParallelism });
      const start = h.keyGroupRange.start;
      const end = start + h.keyGroupRange.count - 1;
      const wanted = range
        ? Array.from({ length: Math.max(0, Math.min(end, range[1]) - Math.max(start, range[0]) + 1) }, (_, i) => Math.max(start, range[0]) + i)
        : undefined;
      if (wanted && wanted.length === 0) continue;
      for await (const e of kf.entries(wanted)) {
        out(stateJsonLine({ subtask: s.index, ...e }));
      }
    }
    if (range) continue;
    for (const h of [s.managedOperatorState]) {
      if (h === null) continue;
      const of = await OperatorStateFile.open(h, resolver.resolve(h.delegate));
      for await (const e of of.entries()) {
        out(stateJsonLine({ subtask: s.index, ...e }));
      }
    }
  }
  return 0;
}
