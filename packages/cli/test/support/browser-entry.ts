/**
 * What the browser test runs, bundled for the browser (and, for the expected answers, in Node):
 * the read side of every browser-safe package on the files of one savepoint, given as `File`s.
 */
import { decodeMetadata, encodeMetadata, sha256, summarizeMetadata } from '@ckpt/format';
import { fromMsgpack, fromProtobuf, toMsgpack, toProtobuf } from '@ckpt/convert';
import { keyGroupForKey, keyGroupRange } from '@ckpt/restore';
import { blobOpener, HandleResolver, KeyedStateFile, OperatorStateFile, SnappyFraming, type FileLike } from '@ckpt/state';

const text = (v: unknown) => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x instanceof Map ? [...x] : x instanceof Uint8Array ? [...x] : x));

/** Decodes `_metadata`, converts it both ways, and reads every keyed and operator state entry. */
export async function readSavepoint(files: FileLike[], dir: string): Promise<Record<string, unknown>> {
  const metaFile = files.find((f) => f.name === '_metadata')!;
  const bytes = new Uint8Array(await metaFile.slice().arrayBuffer());
  const meta = decodeMetadata(bytes, { file: `${dir}/_metadata` });
  const reencoded = encodeMetadata(meta);
  const viaMsgpack = encodeMetadata(fromMsgpack(toMsgpack(meta)));
  const viaProtobuf = encodeMetadata(fromProtobuf(toProtobuf(meta)));
  const resolver = new HandleResolver({ metadataDir: dir, open: blobOpener(files) });
  const framing = await SnappyFraming.create();
  const entries: string[] = [];
  for (const op of meta.operators) {
    for (const s of op.subtasks) {
      const k = s.managedKeyedState;
      if (k !== null && (k.kind === 'keyGroups' || k.kind === 'savepointKeyGroups')) {
        const kf = await KeyedStateFile.open(k, resolver.resolve(k), { maxParallelism: op.maxParallelism, framing });
        for await (const e of kf.entries()) entries.push(text({ op: op.uid, subtask: s.index, ...e }));
      }
      const o = s.managedOperatorState;
      if (o !== null) {
        const of = await OperatorStateFile.open(o, resolver.resolve(o.delegate), { framing });
        for await (const e of of.entries()) entries.push(text({ op: op.uid, subtask: s.index, ...e }));
      }
    }
  }
  return {
    checkpointId: String(meta.checkpointId),
    version: meta.version,
    sha256: await sha256(bytes),
    summary: text(summarizeMetadata(meta)),
    byteExact: [reencoded, viaMsgpack, viaProtobuf].map((b) => b.length === bytes.length && b.every((x, i) => x === bytes[i])),
    keyGroups: ['a', 'key-17', '42'].map((key) => keyGroupForKey(key, 128)),
    ranges: [0, 1].map((i) => keyGroupRange(128, 2, i)),
    entries,
  };
}
