/**
 * The completedCheckpoint graph ckpt builds from a `_metadata`, against the files Flink wrote.
 *
 * restore-fixtures/checkpoint-<line>/ hold one retained checkpoint of the conformance `ha` job
 * (its `_metadata` and the completedCheckpoint file Flink's JobManager wrote when the checkpoint
 * completed). That file comes from another path than the one ckpt reproduces (a restore by
 * path): Flink built it from the tasks' acknowledgements, not from `_metadata`, so its maps are
 * sized differently, its empty channel-state lists are other objects and its timestamps,
 * properties and restored properties are those of a running job. So here the content must be
 * equal (same classes, fields, handles, paths, sizes, offsets, map entries), with timestamps and
 * properties taken over; the bytes of a restore by path are compared in ha-flink-zookeeper.test.ts
 * against the file Flink writes for exactly that.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeMetadata, readJavaStream } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { buildCompletedCheckpoint, UNCLAIMED_SNAPSHOT } from '../src/checkpoint-builder.js';
import { readCompletedCheckpoint } from '../src/completed-checkpoint.js';
import { flinkLine } from '../src/flink-classes.js';
import { writeJavaObjectStream } from '../src/java-writer.js';
import { readHaPayload } from '../src/java.js';
import { javaTree } from './support/java-tree.js';
import { maskStateHandleIds, stateHandleIds } from './support/state-handle-ids.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), 'restore-fixtures');
const cases = readdirSync(dir).filter((d) => d.startsWith('checkpoint-')).sort();
const byPath = readdirSync(dir).filter((d) => d.startsWith('by-path-')).sort();

function load(name: string) {
  const d = join(dir, name);
  const haName = readdirSync(d).find((f) => f.startsWith('completedCheckpoint'))!;
  const ha = new Uint8Array(readFileSync(join(d, haName)));
  const md = new Uint8Array(readFileSync(join(d, '_metadata')));
  const report = JSON.parse(readFileSync(join(d, 'flink.json'), 'utf8')) as { flinkVersion: string };
  return { ha, haName, md, line: flinkLine(report.flinkVersion), stored: readCompletedCheckpoint(ha, haName) };
}

describe.each(cases)('%s', (name) => {
  it('holds what Flink wrote when the checkpoint completed (timestamps and properties taken over)', () => {
    const { ha, haName, md, line, stored } = load(name);
    const graph = buildCompletedCheckpoint({
      jobId: stored.jobId,
      metadata: decodeMetadata(md),
      metadataSize: md.length,
      externalPointer: stored.externalPointer!,
      line,
      overrides: { timestamp: BigInt(stored.timestamp), completionTimestamp: BigInt(stored.completionTimestamp), props: stored.properties!, restoredProps: null },
    });
    const ours = writeJavaObjectStream(graph);
    expect(javaTree(readHaPayload(ours, 'ours'))).toEqual(javaTree(readHaPayload(ha, haName)));
    expect(readCompletedCheckpoint(ours, 'ours')).toEqual(stored);
  });

  it('as a restore by path: timestamps 0, an unclaimed snapshot, the restored properties of the trailer', () => {
    const { md, line, stored } = load(name);
    const metadata = decodeMetadata(md);
    const bytes = writeJavaObjectStream(buildCompletedCheckpoint({ jobId: stored.jobId, metadata, metadataSize: md.length, externalPointer: stored.externalPointer!, line }));
    const back = readCompletedCheckpoint(bytes, 'ours');
    expect(back).toMatchObject({ jobId: stored.jobId, checkpointId: stored.checkpointId, timestamp: 0, completionTimestamp: 0, externalPointer: stored.externalPointer, files: stored.files });
    const { classes: _a, ...props } = back.properties!;
    expect(props).toEqual(UNCLAIMED_SNAPSHOT);
    const { classes: _b, ...restored } = back.restoredProperties!;
    const { classes: _c, ...trailer } = metadata.properties!.view!;
    expect(restored).toEqual(trailer);
    // the JVM reads what the reader reads: one stream, nothing after it
    expect(readJavaStream(bytes, 0, '', { annotations: true, arrays: true, maxDepth: 100 }).root).not.toBeNull();
  });
});

/**
 * restore-fixtures/by-path-<line>-<kind>/: the completedCheckpoint file Flink's JobManager wrote
 * when it restored the job from that snapshot by path (conformance `ha` tool, `restore-by-path`),
 * with the snapshot's `_metadata`. ckpt's file must be the same bytes; the only freedom is the
 * ids Flink draws at random on load (key-group handles of a savepoint), replayed here from
 * Flink's file — without the replay, the files differ in those ids alone.
 */
describe.each(byPath)('%s: restore by path', (name) => {
  it('the bytes Flink wrote', () => {
    const { ha, md, line, stored } = load(name);
    const ids = stateHandleIds(ha);
    let next = 0;
    const build = (randomUuid?: () => string): Uint8Array =>
      writeJavaObjectStream(
        buildCompletedCheckpoint({
          jobId: stored.jobId,
          metadata: decodeMetadata(md),
          metadataSize: md.length,
          externalPointer: stored.externalPointer!,
          line,
          ...(randomUuid ? { randomUuid } : {}),
        }),
      );
    expect(Buffer.from(build(() => ids[next++]!)).equals(Buffer.from(ha))).toBe(true);
    const fresh = build();
    expect(maskStateHandleIds(fresh)).toEqual(maskStateHandleIds(ha));
    if (name.endsWith('-savepoint')) expect(next).toBeGreaterThan(0);
    else expect(next).toBe(0); // a checkpoint's handles keep their ids
  });
});
