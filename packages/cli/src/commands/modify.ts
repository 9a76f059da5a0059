import { encodeMetadata, mapStreamHandles, operatorIdFromUid, requireOperator, UsageError, type CheckpointMetadata } from '@ckpt/format';
import { loadCheckpoint, Storages } from '@ckpt/storage';
import { toUri } from './relocate.js';

export interface ModifyOptions {
  /** Operators whose state is dropped (uid, name or id). */
  drop?: string[];
  /** `FROM=TO`: stored state of FROM (uid/name/id) is given to operator TO (uid or 32-hex id). */
  remap?: string[];
  /** `OP=UID`: store a uid (V5+). */
  setUid?: string[];
  /** `OP=NAME`: store a name (V5+). */
  setName?: string[];
  json?: boolean;
}

const HEX32 = /^[0-9a-fA-F]{32}$/;

function pairs(items: string[] | undefined, what: string): [string, string][] {
  return (items ?? []).map((p) => {
    const i = p.indexOf('=');
    if (i <= 0 || i === p.length - 1) throw new UsageError('BadArgument', `${what} expects A=B, got ${p}`);
    return [p.slice(0, i), p.slice(i + 1)];
  });
}

/** The edited model: operators dropped, re-mapped to other operator ids, uid/name set. */
function modifyModel(meta: CheckpointMetadata, opts: ModifyOptions): { meta: CheckpointMetadata; changes: string[] } {
  const changes: string[] = [];
  const m: CheckpointMetadata = { ...meta, operators: meta.operators.map((o) => ({ ...o })) };
  for (const ref of opts.drop ?? []) {
    const op = requireOperator(m.operators, ref, m.input?.file);
    m.operators = m.operators.filter((o) => o !== op);
    changes.push(`dropped ${op.operatorId}${op.uid ? ` (${op.uid})` : ''}`);
  }
  for (const [from, to] of pairs(opts.remap, '--remap')) {
    const op = requireOperator(m.operators, from, m.input?.file);
    const id = HEX32.test(to) ? to.toLowerCase() : operatorIdFromUid(to);
    if (m.operators.some((o) => o !== op && o.operatorId === id)) throw new UsageError('BadArgument', `operator id ${id} already has state`);
    changes.push(`state of ${op.operatorId} now belongs to ${id}${HEX32.test(to) ? '' : ` (uid ${to})`}`);
    op.operatorId = id;
    if (!HEX32.test(to) && m.version >= 5) op.uid = to;
  }
  for (const [what, list] of [['uid', opts.setUid], ['name', opts.setName]] as const) {
    for (const [ref, value] of pairs(list as string[] | undefined, `--set-${what}`)) {
      if (m.version < 5) throw new UsageError('BadArgument', `metadata version ${m.version} stores no ${what}s (version 5+ does)`);
      const op = requireOperator(m.operators, ref, m.input?.file);
      op[what] = value;
      changes.push(`${what} of ${op.operatorId} set to ${value}`);
    }
  }
  return { meta: m, changes };
}

/**
 * `ckpt modify <checkpoint> <out-dir>`: writes an edited `_metadata` into a new directory (never
 * over the original). The state files stay where they are: relative handles are rewritten to the
 * original files' absolute paths, so Flink reads them from there.
 */
export async function modify(source: string, target: string, opts: ModifyOptions, out: (s: string) => void): Promise<number> {
  const storages = new Storages();
  try {
    const { resolved, metadata } = await loadCheckpoint(source, { storages });
    const { meta, changes } = modifyModel(metadata, opts);
    if (changes.length === 0) throw new UsageError('BadArgument', 'nothing to change: give --drop, --remap, --set-uid or --set-name');
    const dir = resolved.directory.replace(/^file:\/\/\//, 'file:/');
    const absolute = mapStreamHandles(meta, (h) =>
      h.kind === 'relativeFile' ? { kind: 'file', path: `${dir}/${h.relativePath}`, size: h.size } : h,
    );
    const dst = toUri(target);
    const d = await storages.locate(dst);
    if (await d.storage.stat(`${d.path}/_metadata`)) throw new UsageError('Exists', `${dst}/_metadata exists; refusing to overwrite it`);
    await d.storage.write(`${d.path}/_metadata`, encodeMetadata(absolute));
    out(opts.json ? JSON.stringify({ source: resolved.directory, target: dst, changes }, null, 2) : [`wrote ${dst}/_metadata`, ...changes.map((c) => `  ${c}`)].join('\n'));
    return 0;
  } finally {
    await storages.close();
  }
}
