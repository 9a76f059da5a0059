/**
 * Test support: the key strings of the `StateHandleID`s of a completedCheckpoint file, in stream
 * order — the ids Flink draws at random when it loads some handles (replayed to compare bytes).
 */
import { readJavaStream, type JavaContent } from '@ckpt/format';

const STATE_HANDLE_ID = 'org.apache.flink.runtime.state.StateHandleID';

export function stateHandleIds(bytes: Uint8Array): string[] {
  const found: { offset: number; id: string }[] = [];
  const seen = new Set<object>();
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || v instanceof Uint8Array || seen.has(v)) return;
    seen.add(v);
    const c = v as JavaContent & object;
    if (c.kind === 'array' && !(c.elements instanceof Uint8Array)) c.elements.forEach(walk);
    if (c.kind !== 'object') return;
    if (c.classDesc.name === STATE_HANDLE_ID) found.push({ offset: c.offset!, id: c.classData[0]!.values[0] as string });
    for (const cd of c.classData) {
      cd.values.forEach(walk);
      cd.annotation?.forEach(walk);
    }
  };
  walk(readJavaStream(bytes, 0, '', { annotations: true, arrays: true, maxDepth: 100 }).root);
  return found.sort((a, b) => a.offset - b.offset).map((f) => f.id);
}

/** The bytes (latin1) with every `StateHandleID` key string blanked. */
export function maskStateHandleIds(bytes: Uint8Array): string {
  let s = Buffer.from(bytes).toString('latin1');
  for (const id of stateHandleIds(bytes)) s = s.replace(id, '-'.repeat(id.length));
  return s;
}
