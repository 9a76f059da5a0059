import { collectFileReferences, loadCheckpoint, Storages } from '@ckpt/storage';
import { diffChanged, diffCheckpoints } from '@ckpt/format';

export interface DiffOptions {
  json?: boolean;
}

/** `ckpt diff <a> <b>`: what changed between two checkpoints. Exit 0 when identical in state, 6 otherwise. */
export async function diff(a: string, b: string, opts: DiffOptions, out: (s: string) => void): Promise<number> {
  const storages = new Storages();
  try {
    const [la, lb] = await Promise.all([loadCheckpoint(a, { storages }), loadCheckpoint(b, { storages })]);
    const d = diffCheckpoints(
      { uri: la.resolved.metadataUri, meta: la.metadata, files: collectFileReferences(la.metadata, la.resolved.directory).map((r) => r.uri) },
      { uri: lb.resolved.metadataUri, meta: lb.metadata, files: collectFileReferences(lb.metadata, lb.resolved.directory).map((r) => r.uri) },
    );
    const changed = diffChanged(d);
    if (opts.json) out(JSON.stringify(d, null, 2));
    else {
      out(`a: ${d.a} (checkpoint ${d.checkpointIds[0]}, v${d.versions[0]})\nb: ${d.b} (checkpoint ${d.checkpointIds[1]}, v${d.versions[1]})`);
      for (const o of d.operators) {
        if (o.change === 'same') continue;
        out(`${o.change.padEnd(8)} ${o.operatorId}${o.uid ? ` (${o.uid})` : ''}${o.details.length ? `: ${o.details.join('; ')}` : ''}`);
      }
      out(`files: ${d.files.shared.length} shared, ${d.files.onlyA.length} only in a, ${d.files.onlyB.length} only in b`);
    }
    return changed ? 6 : 0;
  } finally {
    await storages.close();
  }
}
