import type { DistributionMode, OperatorStateEntry, OperatorStateHandle, StreamStateHandle } from '@ckpt/format';
import { javaHashMapOrder } from './java-hashmap.js';
import { streamIdentity } from './stream-identity.js';

/**
 * Operator (non-keyed) state redistribution, as Flink's round-robin repartitioner: input is one
 * handle list per old subtask, output one handle list per new subtask.
 */

/** One named state inside one old handle: where its partitions are. */
interface Location {
  delegate: StreamStateHandle;
  entry: OperatorStateEntry;
  oldSubtask: number;
}

/** Per new subtask: delegate identity → handle being built (Flink's merge map). */
type MergeMap = Map<string, OperatorStateHandle>;

function groupByName(previous: readonly (readonly OperatorStateHandle[])[], mode: DistributionMode): Map<string, Location[]> {
  const out = new Map<string, Location[]>();
  previous.forEach((handles, oldSubtask) => {
    for (const h of handles) {
      for (const entry of h.states) {
        if (entry.mode !== mode) continue;
        let list = out.get(entry.name);
        if (list === undefined) out.set(entry.name, (list = []));
        list.push({ delegate: h.delegate, entry, oldSubtask });
      }
    }
  });
  return out;
}

/** Adds one named state to the handle of its delegate in a merge map (creating a plain handle). */
function put(merge: MergeMap, delegate: StreamStateHandle, entry: OperatorStateEntry): void {
  const key = streamIdentity(delegate);
  let h = merge.get(key);
  if (h === undefined) {
    h = { kind: 'operatorStream', states: [], delegate };
    merge.set(key, h);
  }
  const at = h.states.findIndex((s) => s.name === entry.name);
  if (at >= 0) h.states[at] = entry;
  else h.states.push(entry);
}

function splitDistribute(byName: Map<string, Location[]>, newParallelism: number, merges: MergeMap[]): void {
  let start = 0;
  for (const name of javaHashMapOrder([...byName.keys()])) {
    const locations = byName.get(name)!;
    const total = locations.reduce((n, l) => n + l.entry.offsets.length, 0);
    const base = Math.floor(total / newParallelism);
    let remainder = total % newParallelism;
    let nextStart = start;
    let loc = 0;
    let offsetIdx = 0;
    for (let i = 0; i < newParallelism; i++) {
      const target = (i + start) % newParallelism;
      let n = base;
      if (remainder > 0) {
        n++;
        remainder--;
      } else if (remainder === 0) {
        nextStart = target;
        remainder--;
      }
      while (n > 0) {
        const l = locations[loc]!;
        const offsets = l.entry.offsets;
        const available = offsets.length - offsetIdx;
        let taken: bigint[];
        if (available > n) {
          taken = offsets.slice(offsetIdx, offsetIdx + n);
          offsetIdx += n;
        } else {
          taken = offsets.slice(offsetIdx);
          offsetIdx = 0;
          loc++;
        }
        n -= available;
        put(merges[target]!, l.delegate, { name, mode: 'SPLIT_DISTRIBUTE', offsets: taken });
      }
    }
    start = nextStart;
  }
}

function union(byName: Map<string, Location[]>, merges: MergeMap[]): void {
  for (const merge of merges) {
    for (const [, locations] of byName) for (const l of locations) put(merge, l.delegate, l.entry);
  }
}

function broadcast(byName: Map<string, Location[]>, merges: MergeMap[]): void {
  merges.forEach((merge, i) => {
    for (const [, locations] of byName) {
      const l = locations[i % locations.length]!;
      put(merge, l.delegate, l.entry);
    }
  });
}

/** Capacity of a `java.util.BitSet` created for `bits` bits. */
function bitSetCapacity(bits: number): number {
  return 64 * Math.max(1, Math.ceil(bits / 64));
}

/** BROADCAST names that Flink treats as "partially reported" (incl. its BitSet capacity quirk). */
function partiallyReportedBroadcast(previous: readonly (readonly OperatorStateHandle[])[]): Map<string, Location[]> {
  const all = groupByName(previous, 'BROADCAST');
  const cap = bitSetCapacity(previous.length);
  const out = new Map<string, Location[]>();
  for (const [name, locations] of all) {
    const reported = new Set(locations.map((l) => l.oldSubtask)).size;
    if (reported > 0 && reported < cap) out.set(name, locations);
  }
  return out;
}

function copyHandle(h: OperatorStateHandle): OperatorStateHandle {
  return { ...h, states: [...h.states] };
}

/**
 * Redistributes one operator's managed (or raw) operator state from `previous.length` old
 * subtasks to `newParallelism` new ones. With unchanged parallelism and neither UNION nor
 * partially reported BROADCAST names, the old lists are returned as they are (Flink's shortcut).
 * Handle order inside a subtask's list is not significant (Flink builds it from a hash map).
 */
export function repartitionOperatorState(
  previous: readonly (readonly OperatorStateHandle[])[],
  newParallelism: number,
): OperatorStateHandle[][] {
  let merges: MergeMap[];
  if (newParallelism === previous.length) {
    const unionStates = groupByName(previous, 'UNION');
    const partial = partiallyReportedBroadcast(previous);
    if (unionStates.size === 0 && partial.size === 0) return previous.map((hs) => [...hs]);
    merges = previous.map((hs) => new Map(hs.map((h) => [streamIdentity(h.delegate), copyHandle(h)] as const)));
    union(unionStates, merges);
    broadcast(partial, merges);
  } else {
    merges = Array.from({ length: newParallelism }, () => new Map());
    splitDistribute(groupByName(previous, 'SPLIT_DISTRIBUTE'), newParallelism, merges);
    union(groupByName(previous, 'UNION'), merges);
    broadcast(groupByName(previous, 'BROADCAST'), merges);
  }
  return merges.map((m) => [...m.values()]);
}
