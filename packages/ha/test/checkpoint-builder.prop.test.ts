/**
 * Property: for random checkpoint models (the metadata arbitrary of @ckpt/format, versions 3–6,
 * restricted to the handle kinds the builder writes), build → write → read back with the HA
 * reader gives the model's operators, subtasks, handles, master states and properties again, on
 * every line; models with state the builder cannot write are refused with `Unsupported`.
 */
import fc from 'fast-check';
import type { CheckpointMetadata, KeyedStateHandle, OperatorStateHandle, StreamStateHandle } from '@ckpt/format';
import { describe, expect, it } from 'vitest';
import { metadataArb } from '../../format/test/support/arbitraries.js';
import { buildCompletedCheckpoint, uriString } from '../src/checkpoint-builder.js';
import { FLINK_LINES } from '../src/flink-classes.js';
import { writeJavaObjectStream } from '../src/java-writer.js';
import { readHaPayload } from '../src/java.js';
import { HaError } from '../src/errors.js';
import { javaTree } from './support/java-tree.js';

const POINTER = 'file:/ckpt/job/chk-7';
const JOB = 'c0ffee00000000000000000000000042';
type Tree = Record<string, unknown>;

function unsupported(m: CheckpointMetadata): boolean {
  const stream = (h: StreamStateHandle): boolean =>
    h.kind === 'segmentFile' || h.kind === 'emptySegmentFile' || (h.kind === 'keyGroups' && stream(h.delegate));
  const keyed = (h: KeyedStateHandle | null): boolean =>
    h !== null &&
    (h.kind === 'changelog' || h.kind === 'inMemoryChangelog' || h.kind === 'changelogFile' ||
      ((h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') && stream(h.delegate)) ||
      (h.kind === 'incremental' && [h.metaStateHandle, ...h.sharedState.map((e) => e.handle), ...h.privateState.map((e) => e.handle)].some(stream)));
  const op = (h: OperatorStateHandle | null): boolean => h !== null && (h.kind !== 'operatorStream' || stream(h.delegate));
  return m.operators.some(
    (o) =>
      (o.coordinatorState !== null && o.coordinatorState.kind !== 'byteStream') ||
      (o.finishedMarker !== undefined && o.coordinatorState !== null) ||
      new Set(o.subtasks.map((s) => s.index)).size !== o.subtasks.length ||
      o.subtasks.some((s) => op(s.managedOperatorState) || op(s.rawOperatorState) || keyed(s.managedKeyedState) || keyed(s.rawKeyedState) || s.inputChannelState.length > 0 || s.resultSubpartitionState.length > 0),
  ) || new Set(m.operators.map((o) => o.operatorId)).size !== m.operators.length;
}

/** What the read-back tree must hold for a stream handle. */
function streamOf(h: StreamStateHandle): unknown {
  const path = (p: string): Tree => ({ '#class': 'org.apache.flink.core.fs.Path', uri: { '#class': 'java.net.URI', string: uriString(p) } });
  switch (h.kind) {
    case 'byteStream':
      return { '#class': 'org.apache.flink.runtime.state.memory.ByteStreamStateHandle', data: Buffer.from(h.data).toString('hex'), handleName: h.name };
    case 'file':
      return { '#class': 'org.apache.flink.runtime.state.filesystem.FileStateHandle', stateSize: `${h.size}n`, filePath: path(h.path) };
    case 'relativeFile':
      return { '#class': 'org.apache.flink.runtime.state.filesystem.RelativeFileStateHandle', stateSize: `${h.size}n`, filePath: path(`${POINTER}/${h.relativePath}`), relativePath: h.relativePath };
    case 'keyGroups':
      return keyGroupsOf(h);
    default:
      throw new Error(h.kind);
  }
}

function keyGroupsOf(h: Extract<KeyedStateHandle, { kind: 'keyGroups' | 'savepointKeyGroups' }>): Tree {
  return {
    '#class': `org.apache.flink.runtime.state.${h.kind === 'keyGroups' ? 'KeyGroupsStateHandle' : 'KeyGroupsSavepointStateHandle'}`,
    groupRangeOffsets: { '#class': 'org.apache.flink.runtime.state.KeyGroupRangeOffsets', keyGroupRange: rangeOf(h.keyGroupRange), offsets: h.offsets.map((o) => `${o}n`) },
    stateHandle: streamOf(h.delegate),
    stateHandleId: expect.objectContaining(h.kind === 'keyGroups' && h.stateHandleId !== undefined ? { keyString: h.stateHandleId } : {}),
  };
}

function rangeOf(r: { start: number; count: number }): Tree {
  return { '#class': 'org.apache.flink.runtime.state.KeyGroupRange', startKeyGroup: r.count > 0 ? r.start : 0, endKeyGroup: r.count > 0 ? r.start + r.count - 1 : -1 };
}

function keyedOf(h: KeyedStateHandle): unknown {
  if (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') return keyGroupsOf(h);
  if (h.kind !== 'incremental') throw new Error(h.kind);
  const files = (l: typeof h.sharedState): unknown => ({ '#list': l.map((e) => expect.objectContaining({ handle: streamOf(e.handle), localPath: e.localPath })) });
  return expect.objectContaining({
    checkpointId: `${h.checkpointId}n`,
    keyGroupRange: rangeOf(h.keyGroupRange),
    metaStateHandle: streamOf(h.metaStateHandle),
    sharedState: files(h.sharedState),
    privateState: files(h.privateState),
    persistedSizeOfThisCheckpoint: `${h.checkpointedSize ?? -1n}n`,
  });
}

function operatorHandleOf(h: OperatorStateHandle): unknown {
  if (h.kind !== 'operatorStream') throw new Error(h.kind);
  const entries = h.states.map((s) => [s.name, { '#class': 'org.apache.flink.runtime.state.OperatorStateHandle$StateMetaInfo', distributionMode: `org.apache.flink.runtime.state.OperatorStateHandle$Mode.${s.mode}`, offsets: s.offsets.map((o) => `${o}n`) }]);
  // a map keeps one value per name: the last one put
  const byName = new Map(entries.map(([k, v]) => [k as string, v]));
  return {
    '#class': 'org.apache.flink.runtime.state.OperatorStreamStateHandle',
    stateNameToPartitionOffsets: { '#map': [...byName].sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1)) },
    delegateStateHandle: streamOf(h.delegate),
  };
}

const single = (x: unknown | null): unknown => ({ stateObjects: { '#list': x === null ? [] : [x] } });

describe.each(FLINK_LINES)('Flink %s', (line) => {
  it('build → write → read back gives the model again', () => {
    let built = 0;
    fc.assert(
      fc.property(fc.integer({ min: 3, max: 6 }).chain((v) => metadataArb(v)), ({ meta }) => {
        if (unsupported(meta)) {
          expect(() => writeJavaObjectStream(buildCompletedCheckpoint({ jobId: JOB, metadata: meta, metadataSize: 100, externalPointer: POINTER, line }))).toThrow(HaError);
          return;
        }
        built++;
        const bytes = writeJavaObjectStream(buildCompletedCheckpoint({ jobId: JOB, metadata: meta, metadataSize: 100, externalPointer: POINTER, line }));
        const tree = javaTree(readHaPayload(bytes, 'prop')) as Tree;
        expect(tree.checkpointID).toBe(`${meta.checkpointId}n`);
        expect(tree.externalPointer).toBe(POINTER);
        expect(tree.masterHookStates).toEqual({ '#list': meta.masterStates.map((m) => ({ '#class': 'org.apache.flink.runtime.checkpoint.MasterState', name: m.name, version: m.version, bytes: Buffer.from(m.payload).toString('hex') })) });
        const ops = (tree.operatorStates as { '#map': [Tree, Tree][] })['#map'];
        expect(ops.length).toBe(meta.operators.length);
        for (const o of meta.operators) {
          const hit = ops.find(([k]) => BigInt.asUintN(64, BigInt((k.lowerPart as string).slice(0, -1))).toString(16).padStart(16, '0') + BigInt.asUintN(64, BigInt((k.upperPart as string).slice(0, -1))).toString(16).padStart(16, '0') === o.operatorId.toLowerCase());
          expect(hit).toBeDefined();
          const st = hit![1];
          expect(st).toMatchObject({ parallelism: o.parallelism, maxParallelism: o.maxParallelism });
          if (line !== '1.20') expect(st).toMatchObject({ operatorName: o.name ?? null, operatorUid: o.uid ?? null });
          expect(st['#class']).toBe(`org.apache.flink.runtime.checkpoint.${o.finishedMarker !== undefined ? 'FullyFinishedOperatorState' : 'OperatorState'}`);
          expect(st.coordinatorState).toEqual(o.coordinatorState === null ? null : streamOf(o.coordinatorState));
          const subtasks = (st.operatorSubtaskStates as { '#map': [Tree, Tree][] })['#map'];
          expect(subtasks.map(([k]) => k.value).sort()).toEqual(o.finishedMarker !== undefined ? [] : o.subtasks.map((s) => s.index).sort());
          for (const s of o.finishedMarker !== undefined ? [] : o.subtasks) {
            const t = subtasks.find(([k]) => k.value === s.index)![1];
            if (s.finished) {
              expect(t['#class']).toBe('org.apache.flink.runtime.checkpoint.FinishedOperatorSubtaskState');
              continue;
            }
            expect(t).toMatchObject({
              managedOperatorState: single(s.managedOperatorState && operatorHandleOf(s.managedOperatorState)),
              rawOperatorState: single(s.rawOperatorState && operatorHandleOf(s.rawOperatorState)),
              managedKeyedState: single(s.managedKeyedState && keyedOf(s.managedKeyedState)),
              rawKeyedState: single(s.rawKeyedState && keyedOf(s.rawKeyedState)),
            });
          }
        }
        const view = meta.properties?.view;
        if (view == null) expect(tree.restoredProps).toBeNull();
        else expect(tree.restoredProps).toMatchObject({ forced: view.forced, unclaimed: view.unclaimed, discardSubsumed: view.discardSubsumed });
      }),
      { numRuns: 100 },
    );
    expect(built).toBeGreaterThan(10);
  });
});
