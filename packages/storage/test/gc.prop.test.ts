import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeMetadata, writeCheckpointProperties, type CheckpointMetadata } from '@ckpt/format';
import { executeGc, openStorage, planGc, StorageError, verifyCheckpoint } from '../src/index.js';

let run = 0;

type Status = 'retained' | 'subsumed' | 'failed';

/** A checkpoint history: per checkpoint, which shared files it uses and what became of it. */
const history = fc.record({
  shared: fc.integer({ min: 1, max: 8 }),
  checkpoints: fc.array(
    fc.record({ uses: fc.array(fc.nat(7), { maxLength: 5 }), exclusive: fc.integer({ min: 1, max: 2 }), status: fc.constantFrom<Status>('retained', 'subsumed', 'failed') }),
    { minLength: 1, maxLength: 6 },
  ),
  inProgressLast: fc.boolean(),
});

function metadata(id: number, shared: string[], exclusive: string[]): CheckpointMetadata {
  const raw = writeCheckpointProperties({
    discardCancelled: false, discardFailed: false, discardFinished: true, discardSubsumed: true, discardSuspended: false, forced: false, unclaimed: false,
    snapshotType: { kind: 'checkpoint', className: 'org.apache.flink.runtime.checkpoint.CheckpointType', name: 'Checkpoint', sharingFilesStrategy: 'FORWARD_BACKWARD' },
  });
  return {
    version: 6,
    checkpointId: BigInt(id),
    masterStates: [],
    operators: [
      {
        operatorId: '0123456789abcdef0123456789abcdef',
        parallelism: 1,
        maxParallelism: 128,
        coordinatorState: null,
        subtasks: [
          {
            index: 0,
            managedOperatorState: null,
            rawOperatorState: null,
            managedKeyedState: {
              kind: 'incremental',
              checkpointId: BigInt(id),
              backendId: '00000000-0000-4000-8000-000000000000',
              keyGroupRange: { start: 0, count: 128 },
              checkpointedSize: 1n,
              metaStateHandle: { kind: 'relativeFile', relativePath: exclusive[0]!, size: 4n },
              sharedState: shared.map((uri, i) => ({ localPath: `${i}.sst`, handle: { kind: 'file', path: uri, size: 4n } })),
              privateState: exclusive.slice(1).map((p) => ({ localPath: 'MANIFEST', handle: { kind: 'relativeFile', relativePath: p, size: 4n } })),
              stateHandleId: `h${id}`,
            },
            rawKeyedState: null,
            inputChannelState: [],
            resultSubpartitionState: [],
          },
        ],
      },
    ],
    properties: { raw, view: null },
  };
}

describe('gc over random checkpoint histories with shared incremental files', () => {
  it('never proposes a referenced or protected file, and finds every orphan', async () => {
    await fc.assert(
      fc.asyncProperty(history, async (h) => {
        const root = `memory://gc-${run++}/checkpoints/00000000000000000000000000000001`;
        const s = await openStorage(`memory://gc-${run - 1}/`);
        const put = (uri: string) => s.write(uri.replace(`memory://gc-${run - 1}/`, ''), new Uint8Array([1, 2, 3, 4]));
        const sharedUris = Array.from({ length: h.shared }, (_, i) => `${root}/shared/s${i}`);
        const usedBy = new Map<string, Status[]>();
        const exclusiveOf = new Map<number, string[]>();
        let newestComplete = 0;
        const n = h.checkpoints.length;
        for (let i = 0; i < n; i++) {
          const c = h.checkpoints[i]!;
          const id = i + 1;
          const inProgress = h.inProgressLast && i === n - 1;
          const status: Status = inProgress ? 'failed' : c.status;
          const shared = [...new Set(c.uses.map((u) => sharedUris[u % h.shared]!))];
          for (const u of shared) {
            await put(u);
            usedBy.set(u, [...(usedBy.get(u) ?? []), status]);
          }
          const excl = Array.from({ length: c.exclusive }, (_, k) => `f${k}`);
          exclusiveOf.set(id, excl);
          if (status !== 'subsumed') for (const f of excl) await put(`${root}/chk-${id}/${f}`);
          if (status === 'retained') {
            await s.write(`${root}/chk-${id}/_metadata`.replace(`memory://gc-${run - 1}/`, ''), encodeMetadata(metadata(id, shared, excl)));
            newestComplete = id;
          }
        }
        if (newestComplete === 0) {
          await expect(planGc(root)).rejects.toBeInstanceOf(StorageError);
          return;
        }
        const plan = await planGc(root);
        const proposed = new Set(plan.unreferenced.map((f) => f.uri));
        const canon = (u: string) => u.replace(/^memory:\/\//, 'memory://');
        // safety: nothing a retained checkpoint uses, nothing inside retained or in-progress dirs
        for (const [u, statuses] of usedBy) {
          if (statuses.includes('retained')) expect(proposed.has(canon(u)), u).toBe(false);
          else expect(proposed.has(canon(u)), `orphan ${u}`).toBe(true);
        }
        for (const [id, excl] of exclusiveOf) {
          const c = h.checkpoints[id - 1]!;
          const inProgress = (h.inProgressLast && id === n) || (c.status === 'failed' && id > newestComplete);
          for (const f of excl) {
            const u = `${root}/chk-${id}/${f}`;
            const isGarbage = c.status === 'failed' && !inProgress && !(h.inProgressLast && id === n);
            if (c.status === 'subsumed' && !(h.inProgressLast && id === n)) continue;
            expect(proposed.has(canon(u)), u).toBe(isGarbage);
          }
        }
        // deleting them leaves every retained checkpoint complete
        await executeGc(plan);
        for (const e of plan.retained) expect((await verifyCheckpoint(e.uri)).ok).toBe(true);
        await s.close?.();
      }),
      { numRuns: 150 },
    );
  });

  it('refuses a directory without checkpoints', async () => {
    const s = await openStorage('memory://gc-empty/');
    await s.write('data/x', new Uint8Array([1]));
    await expect(planGc('memory://gc-empty/data')).rejects.toThrow(/not a checkpoint directory/);
  });
});
