import {
  keyedStateSize,
  streamStateSize,
  type CheckpointMetadata,
  type KeyGroupRange,
  type KeyedStateHandle,
  type StreamStateHandle,
} from '@ckpt/format';
import type { Assignment, OperatorSubtaskRestore } from './assign.js';
import { streamIdentity, streamLabel } from './stream-identity.js';

/**
 * Restore plan: what every new subtask reads, and derived balance figures and advice.
 *
 * `bytes` is *attributed* state: a full-snapshot keyed handle split by key groups is attributed
 * per key-group span (the stream's header goes with its first key group), so the attributed bytes
 * of all subtasks add up to the stored bytes. Whole-file handles (incremental keyed state,
 * operator state, channel state) are attributed in full to every subtask that receives them.
 */
export interface FileRead {
  file: string;
  kind: string;
  /** Attributed bytes (see above). */
  bytes: bigint;
  /** Size of the whole stream/file. */
  fileSize: bigint;
  keyGroups?: KeyGroupRange;
}

export interface OperatorPlan {
  operatorId: string;
  handles: number;
  bytes: bigint;
  files: FileRead[];
}

export interface SubtaskPlan {
  vertex: string;
  index: number;
  keyGroups: KeyGroupRange;
  handles: number;
  bytes: bigint;
  operators: OperatorPlan[];
}

/**
 * Advice for a vertex with keyed state (even key-group split), or for any other vertex whose state
 * has something to say (UNION state, a capping max parallelism: `notes`).
 */
export interface Advice {
  vertex: string;
  /**
   * Parallelisms p ≤ max parallelism with `m % p == 0` (even key-group split), ascending; only for
   * vertices with keyed state.
   */
  evenParallelisms?: number[];
  /** Largest parallelism the stored state allows (the settled max parallelism). */
  maxRestorableParallelism: number;
  notes: string[];
}

export interface RestorePlan {
  subtasks: SubtaskPlan[];
  totalBytes: bigint;
  /** Per vertex that restores state (keyed, or any bytes): max/mean of subtask bytes (1 = perfectly even). */
  skew: Record<string, number>;
  /** Per vertex with keyed state: largest/smallest key-group count of a subtask. */
  keyGroupBalance: Record<string, { min: number; max: number }>;
  advice: Advice[];
}

/**
 * Per full-snapshot stream: for each distinct key-group offset, the bytes up to the next distinct
 * offset (the first span starts at 0, taking the header) and the lowest key group that has it;
 * that key group carries the span, so spans partition the stream exactly.
 */
interface StreamSpans {
  span: Map<bigint, bigint>;
  owner: Map<bigint, number>;
}

function spans(meta: CheckpointMetadata): Map<string, StreamSpans> {
  const collected = new Map<string, { owner: Map<bigint, number>; size: bigint }>();
  for (const op of meta.operators) {
    for (const s of op.subtasks) {
      for (const h of [s.managedKeyedState, s.rawKeyedState]) {
        if (h === null || (h.kind !== 'keyGroups' && h.kind !== 'savepointKeyGroups')) continue;
        const id = streamIdentity(h.delegate);
        const e = collected.get(id) ?? { owner: new Map<bigint, number>(), size: streamStateSize(h.delegate) };
        h.offsets.forEach((o, i) => {
          const kg = h.keyGroupRange.start + i;
          const prev = e.owner.get(o);
          if (prev === undefined || kg < prev) e.owner.set(o, kg);
        });
        collected.set(id, e);
      }
    }
  }
  const out = new Map<string, StreamSpans>();
  for (const [id, e] of collected) {
    const sorted = [...e.owner.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const span = new Map<bigint, bigint>();
    sorted.forEach((o, i) => span.set(o, (sorted[i + 1] ?? e.size) - (i === 0 ? 0n : o)));
    out.set(id, { span, owner: e.owner });
  }
  return out;
}

function keyedRead(h: KeyedStateHandle, sp: ReturnType<typeof spans>): FileRead[] {
  if (h.kind === 'keyGroups' || h.kind === 'savepointKeyGroups') {
    const size = streamStateSize(h.delegate);
    const e = sp.get(streamIdentity(h.delegate));
    let bytes = size;
    if (e !== undefined) {
      bytes = 0n;
      h.offsets.forEach((o, i) => {
        if (e.owner.get(o) === h.keyGroupRange.start + i) bytes += e.span.get(o) ?? 0n;
      });
    }
    return [{ file: streamLabel(h.delegate), kind: h.kind, bytes, fileSize: size, keyGroups: h.keyGroupRange }];
  }
  if (h.kind === 'incremental') {
    const files: StreamStateHandle[] = [h.metaStateHandle, ...h.sharedState.map((x) => x.handle), ...h.privateState.map((x) => x.handle)];
    return files.map((f) => ({ file: streamLabel(f), kind: 'incremental', bytes: streamStateSize(f), fileSize: streamStateSize(f), keyGroups: h.keyGroupRange }));
  }
  const size = keyedStateSize(h);
  return [{ file: `(${h.kind})`, kind: h.kind, bytes: size, fileSize: size, keyGroups: h.keyGroupRange }];
}

function operatorPlan(o: OperatorSubtaskRestore, sp: ReturnType<typeof spans>): OperatorPlan {
  const files: FileRead[] = [];
  for (const h of [...o.managedKeyedState, ...o.rawKeyedState]) files.push(...keyedRead(h, sp));
  for (const h of [...o.managedOperatorState, ...o.rawOperatorState]) {
    const size = streamStateSize(h.delegate);
    files.push({ file: streamLabel(h.delegate), kind: h.kind, bytes: size, fileSize: size });
  }
  for (const h of [...o.inputChannelState, ...o.resultSubpartitionState]) {
    files.push({ file: streamLabel(h.delegate), kind: h.kind, bytes: h.stateSize, fileSize: streamStateSize(h.delegate) });
  }
  const handles =
    o.managedKeyedState.length + o.rawKeyedState.length + o.managedOperatorState.length + o.rawOperatorState.length +
    o.inputChannelState.length + o.resultSubpartitionState.length;
  return { operatorId: o.operatorId, handles, bytes: files.reduce((n, f) => n + f.bytes, 0n), files };
}

/** The restore plan of an assignment (which must be `ok`). */
export function restorePlan(meta: CheckpointMetadata, a: Assignment): RestorePlan {
  const sp = spans(meta);
  const subtasks: SubtaskPlan[] = [];
  const skew: Record<string, number> = {};
  const keyGroupBalance: Record<string, { min: number; max: number }> = {};
  const advice: Advice[] = [];
  for (const v of a.vertices) {
    const name = v.vertex.name;
    const mine: SubtaskPlan[] = v.subtasks.map((s) => {
      const operators = (s.restore?.operators ?? []).map((o) => operatorPlan(o, sp));
      return {
        vertex: name,
        index: s.index,
        keyGroups: s.keyGroupRange,
        handles: operators.reduce((n, o) => n + o.handles, 0),
        bytes: operators.reduce((n, o) => n + o.bytes, 0n),
        operators,
      };
    });
    subtasks.push(...mine);
    const total = mine.reduce((n, s) => n + s.bytes, 0n);
    const max = mine.reduce((m, s) => (s.bytes > m ? s.bytes : m), 0n);
    // key groups matter only where there is keyed state; skew only where state is read
    const keyed = v.operators.some((op) => op.state?.subtasks.some((s) => s.managedKeyedState !== null || s.rawKeyedState !== null) === true);
    if (keyed || total > 0n) skew[name] = total === 0n ? 0 : (Number(max) * mine.length) / Number(total);
    const m = v.maxParallelism;
    const notes: string[] = [];
    if (keyed) {
      const counts = v.subtasks.map((s) => s.keyGroupRange.count);
      const balance = { min: Math.min(...counts), max: Math.max(...counts) };
      keyGroupBalance[name] = balance;
      if (m % v.parallelism !== 0) notes.push(`parallelism ${v.parallelism} does not divide max parallelism ${m}: subtasks own ${balance.min} or ${balance.max} key groups`);
    }
    for (const op of v.operators) {
      const st = op.state;
      if (st === undefined) continue;
      const union = st.subtasks.some((s) => [s.managedOperatorState, s.rawOperatorState].some((h) => h?.states.some((e) => e.mode === 'UNION')));
      if (union) notes.push(`operator ${op.operatorId} has UNION state: every subtask reads every old subtask's union partitions (grows with parallelism)`);
      if (st.maxParallelism < m || (v.vertex.maxParallelismConfigured && st.maxParallelism !== v.vertex.maxParallelism)) {
        notes.push(`operator ${op.operatorId} was stored with max parallelism ${st.maxParallelism}: it caps the parallelism of this vertex`);
      }
    }
    if (keyed) {
      const even: number[] = [];
      for (let p = 1; p <= m; p++) if (m % p === 0) even.push(p);
      advice.push({ vertex: name, evenParallelisms: even, maxRestorableParallelism: m, notes });
    } else if (notes.length > 0) {
      advice.push({ vertex: name, maxRestorableParallelism: m, notes });
    }
  }
  return { subtasks, totalBytes: subtasks.reduce((n, s) => n + s.bytes, 0n), skew, keyGroupBalance, advice };
}
