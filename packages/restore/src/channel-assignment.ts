import type { InputChannelStateHandle, ResultSubpartitionStateHandle } from '@ckpt/format';
import type { JobEdge, SubtaskStateMapperName } from './job.js';
import {
  SYMMETRIC_IDENTITY,
  ambiguousTargets,
  isAmbiguousMapper,
  mappedIndexes,
  newToOldMapping,
  sameMappings,
  mappingsToString,
  type RescaleMappings,
} from './rescale-mappings.js';
import { RestoreError } from './errors.js';
import { messages, type Finding } from './findings.js';

/**
 * Channel (in-flight data) state of a restore, as Flink's `StateAssignmentOperation` and
 * `TaskStateAssignment` compute it: redistribution of input-channel and result-subpartition
 * handles along the new job's edges, and the rescaling descriptors every restored operator gets
 * (`InflightDataRescalingDescriptor`), including the memoised subtask mappings that decide them.
 */

/** One gate's / partition's entry of Flink's `InflightDataRescalingDescriptor`. */
export interface GateRescaling {
  /** Flink's `NO_STATE` entry: the gate / partition has no in-flight data. */
  noState?: true;
  oldSubtaskIndexes: number[];
  rescaledChannelsMappings: RescaleMappings;
  ambiguousSubtaskIndexes: number[];
  mappingType: 'IDENTITY' | 'RESCALING';
}

/** A rescaling descriptor: `null` = Flink's `NO_RESCALE`, else one entry per gate / partition. */
export type RescalingDescriptor = GateRescaling[] | null;

const NO_STATE: GateRescaling = { noState: true, oldSubtaskIndexes: [], rescaledChannelsMappings: SYMMETRIC_IDENTITY, ambiguousSubtaskIndexes: [], mappingType: 'IDENTITY' };

/**
 * Flink refuses the restore while redistributing channel state (`finding` says why). Thrown to
 * stop the assignment where Flink stops; `assignStates` turns it into a refused result.
 */
export class ChannelStateRefused extends RestoreError {
  constructor(readonly finding: Finding) {
    super('RestoreRejected', finding.message);
  }
}

/** What the channel assignment needs to know of one vertex of the new job. */
export interface ChannelVertexInput {
  name: string;
  parallelism: number;
  /** Input edges in gate order. */
  inputs: readonly JobEdge[];
  /** Whether Flink repartitions this vertex's state (see `assignStates`). */
  processed: boolean;
  /** Whether Flink builds per-operator restore state (processed and not fully finished). */
  restoresOperators: boolean;
  /** Chain length (head = input operator, tail = output operator). */
  chainLength: number;
  /** Input-channel handles of the head operator per old subtask (unmerged). */
  inputOld: InputChannelStateHandle[][];
  /** Result-subpartition handles of the tail operator per old subtask (unmerged). */
  outputOld: ResultSubpartitionStateHandle[][];
  /** Other operators of the chain with input-channel data, in Flink's (hash-map) order. */
  chainedInputState: string[];
  /** Other operators of the chain with result-subpartition data, in Flink's (hash-map) order. */
  chainedOutputState: string[];
}

export interface ChannelVertexRestore {
  /** Per new subtask: the head operator's input-channel handles. */
  input: InputChannelStateHandle[][];
  /** Per new subtask: the tail operator's result-subpartition handles. */
  output: ResultSubpartitionStateHandle[][];
  /** Per new subtask: the head operator's input rescaling descriptor. */
  inputRescaling: RescalingDescriptor[];
  /** Per new subtask: the tail operator's output rescaling descriptor. */
  outputRescaling: RescalingDescriptor[];
}

interface SubtasksMapping {
  mappings: RescaleMappings;
  mayHaveAmbiguousSubtasks: boolean;
}

interface Partition {
  consumer: number;
  gate: number;
}

class VertexChannels {
  readonly inputStateGates: Set<number>;
  readonly outputStatePartitions: Set<number>;
  readonly inMaps = new Map<number, SubtasksMapping>();
  readonly outMaps = new Map<number, SubtasksMapping>();
  readonly input: InputChannelStateHandle[][];
  readonly output: ResultSubpartitionStateHandle[][];

  constructor(
    readonly index: number,
    readonly v: ChannelVertexInput,
    readonly partitions: Partition[],
    readonly all: VertexChannels[],
  ) {
    this.inputStateGates = new Set(v.inputOld.flat().map((h) => (h.kind === 'inputChannel' ? h.gateIndex : 0)));
    this.outputStatePartitions = new Set(v.outputOld.flat().map((h) => (h.kind === 'resultSubpartition' ? h.partitionIndex : 0)));
    this.input = Array.from({ length: v.parallelism }, () => []);
    this.output = Array.from({ length: v.parallelism }, () => []);
  }

  get hasInputState(): boolean {
    return this.inputStateGates.size > 0;
  }
  get hasOutputState(): boolean {
    return this.outputStatePartitions.size > 0;
  }
  upstream(gate: number): VertexChannels {
    return this.all[this.v.inputs[gate]!.from]!;
  }
  downstream(partition: number): VertexChannels {
    return this.all[this.partitions[partition]!.consumer]!;
  }
  hasUpstreamOutputStates(): boolean {
    return this.v.inputs.some((_, g) => this.upstream(g).hasOutputState);
  }
  hasDownstreamInputStates(): boolean {
    return this.partitions.some((_, p) => this.downstream(p).hasInputState);
  }
  /** Flink's `getAssignmentIndex(upstream.getDownstreamAssignments(), this)`: the first partition to us. */
  firstPartitionTo(consumer: number): number {
    return this.partitions.findIndex((p) => p.consumer === consumer);
  }
  firstGateFrom(producer: number): number {
    return this.v.inputs.findIndex((e) => e.from === producer);
  }
  /** The partition of `this.upstream(gate)` that feeds `gate`. */
  partitionOfGate(gate: number): number {
    return this.upstream(gate).partitions.findIndex((p) => p.consumer === this.index && p.gate === gate);
  }

  hasInFlightDataForInputGate(gate: number): boolean {
    if (this.inputStateGates.has(gate)) return true;
    const up = this.upstream(gate);
    return up.hasOutputState && up.outputStatePartitions.has(this.partitionOfGate(gate));
  }
  hasInFlightDataForResultPartition(partition: number): boolean {
    if (this.outputStatePartitions.has(partition)) return true;
    const down = this.downstream(partition);
    return down.hasInputState && down.inputStateGates.has(this.partitions[partition]!.gate);
  }

  private merge(map: Map<number, SubtasksMapping>, key: number, mappings: RescaleMappings, mapper: SubtaskStateMapperName): SubtasksMapping {
    const old = map.get(key);
    if (old && !sameMappings(old.mappings, mappings)) {
      const text = `Incompatible subtask mappings: are multiple operators ingesting/producing intermediate results with varying degrees of parallelism?Found ${mappingsToString(old.mappings)} and ${mappingsToString(mappings)}.`;
      throw new ChannelStateRefused(messages.unsupportedChannelRescale(this.v.name, text, 'java.lang.IllegalStateException'));
    }
    const m = { mappings, mayHaveAmbiguousSubtasks: (old?.mayHaveAmbiguousSubtasks ?? false) || isAmbiguousMapper(mapper) };
    map.set(key, m);
    return m;
  }
  /** `SubtaskStateMapper.getNewToOldSubtasksMapping`; UNSUPPORTED refuses the restore. */
  private newToOld(mapper: SubtaskStateMapperName, oldParallelism: number): RescaleMappings {
    try {
      return newToOldMapping(mapper, oldParallelism, this.v.parallelism);
    } catch (e) {
      if (!(e instanceof RestoreError) || e.code !== 'UnsupportedRescale') throw e;
      throw new ChannelStateRefused(messages.unsupportedChannelRescale(this.v.name, e.detail, 'java.lang.UnsupportedOperationException'));
    }
  }
  /** `TaskStateAssignment.getInputMapping(gate)` (memoised in `inMaps`). */
  inputMapping(gate: number): SubtasksMapping {
    const mapper = this.v.inputs[gate]!.downstreamMapper;
    return this.merge(this.inMaps, gate, this.newToOld(mapper, this.v.inputOld.length), mapper);
  }
  /** `TaskStateAssignment.getOutputMapping(partition)` (memoised in `outMaps`). */
  outputMapping(partition: number): SubtasksMapping {
    const p = this.partitions[partition]!;
    const mapper = this.all[p.consumer]!.v.inputs[p.gate]!.upstreamMapper;
    return this.merge(this.outMaps, partition, this.newToOld(mapper, this.v.outputOld.length), mapper);
  }

  /** `reDistributeInputChannelStates`. */
  repartitionInput(): void {
    if (!this.hasInputState && !this.hasUpstreamOutputStates()) return;
    if (this.v.chainedInputState.length > 0) throw new ChannelStateRefused(messages.chainedChannelState(this.v.name, this.v.chainedInputState));
    const old = this.v.inputOld;
    const p = this.v.parallelism;
    const anyFull = this.v.inputs.some((e) => e.downstreamMapper === 'FULL');
    const producerChanged = this.v.inputs.some((e) => old.length !== this.all[e.from]!.v.parallelism);
    if (old.length === p && !(anyFull && producerChanged)) {
      old.forEach((hs, i) => this.input[i]!.push(...hs));
      return;
    }
    this.v.inputs.forEach((_, g) => {
      if (!this.hasInFlightDataForInputGate(g)) return;
      const m = this.inputMapping(g).mappings;
      const gateState = this.v.inputs.length === 1 ? old : old.map((hs) => hs.filter((h) => h.kind === 'inputChannel' && h.gateIndex === g));
      for (let n = 0; n < p; n++) for (const o of mappedIndexes(m, n)) this.input[n]!.push(...(gateState[o] ?? []));
    });
  }

  /** `reDistributeResultSubpartitionStates`. */
  repartitionOutput(): void {
    if (!this.hasOutputState && !this.hasDownstreamInputStates()) return;
    if (this.v.chainedOutputState.length > 0) throw new ChannelStateRefused(messages.chainedChannelState(this.v.name, this.v.chainedOutputState));
    const old = this.v.outputOld;
    const p = this.v.parallelism;
    if (old.length === p) {
      old.forEach((hs, i) => this.output[i]!.push(...hs));
      return;
    }
    this.partitions.forEach((_, q) => {
      if (!this.hasInFlightDataForResultPartition(q)) return;
      const m = this.outputMapping(q).mappings;
      const partState =
        this.partitions.length === 1 ? old : old.map((hs) => hs.filter((h) => h.kind === 'resultSubpartition' && h.partitionIndex === q));
      for (let n = 0; n < p; n++) for (const o of mappedIndexes(m, n)) this.output[n]!.push(...(partState[o] ?? []));
    });
  }

  inputDescriptor(subtask: number): RescalingDescriptor {
    const from = (g: number): VertexChannels => this.upstream(g);
    return this.descriptor(
      subtask,
      this.inMaps,
      this.v.inputs.length,
      (g) => from(g).outMaps.get(from(g).firstPartitionTo(this.index)),
      (g) => this.hasInFlightDataForInputGate(g),
      (g) => from(g).outputMapping(from(g).firstPartitionTo(this.index)),
      (g) => this.inputMapping(g),
    );
  }

  outputDescriptor(subtask: number): RescalingDescriptor {
    const to = (q: number): VertexChannels => this.downstream(q);
    return this.descriptor(
      subtask,
      this.outMaps,
      this.partitions.length,
      (q) => to(q).inMaps.get(to(q).firstGateFrom(this.index)),
      (q) => this.hasInFlightDataForResultPartition(q),
      (q) => to(q).inputMapping(to(q).firstGateFrom(this.index)),
      (q) => this.outputMapping(q),
    );
  }

  /**
   * `createRescalingDescriptor` for `n` gates (partitions): the connected side's memoised mapping
   * (`rescaledOf`, else computed by `rescaleOf`) and our own (`own`, memoised in `ownMaps`).
   */
  private descriptor(
    subtask: number,
    ownMaps: Map<number, SubtasksMapping>,
    n: number,
    rescaledOf: (k: number) => SubtasksMapping | undefined,
    hasData: (k: number) => boolean,
    rescaleOf: (k: number) => SubtasksMapping,
    own: (k: number) => SubtasksMapping,
  ): RescalingDescriptor {
    const rescaled = Array.from({ length: n }, (_, k) => rescaledOf(k));
    if (ownMaps.size === 0 && rescaled.every((r) => r === undefined)) return null;
    const gates = rescaled.map((r, k): GateRescaling => (hasData(k) ? gateDescriptor(subtask, r ?? rescaleOf(k), ownMaps.get(k) ?? own(k)) : NO_STATE));
    return gates.every((x) => x.mappingType === 'IDENTITY') ? null : gates;
  }
}

function gateDescriptor(subtask: number, rescale: SubtasksMapping, sub: SubtasksMapping): GateRescaling {
  const old = mappedIndexes(sub.mappings, subtask);
  const identity = (sub.mappings.identity && rescale.mappings.identity) || old.length === 0;
  return {
    oldSubtaskIndexes: old,
    rescaledChannelsMappings: rescale.mappings,
    ambiguousSubtaskIndexes: sub.mayHaveAmbiguousSubtasks ? ambiguousTargets(sub.mappings) : [],
    mappingType: identity ? 'IDENTITY' : 'RESCALING',
  };
}

/**
 * Channel state and rescaling descriptors of every vertex. Repartitioning first (all processed
 * vertices), then the descriptors in job order, subtask by subtask, chain tail first, as Flink
 * builds each `OperatorSubtaskState` (the order matters: computing a descriptor memoises the
 * subtask mappings later descriptors look at).
 */
export function assignChannelState(vertices: readonly ChannelVertexInput[]): ChannelVertexRestore[] {
  const partitions: Partition[][] = vertices.map(() => []);
  vertices.forEach((v, vi) => v.inputs.forEach((e, gate) => partitions[e.from]!.push({ consumer: vi, gate })));
  const all: VertexChannels[] = [];
  vertices.forEach((v, vi) => all.push(new VertexChannels(vi, v, partitions[vi]!, all)));
  for (const c of all) {
    if (!c.v.processed) continue;
    c.repartitionInput();
    c.repartitionOutput();
  }
  return all.map((c) => {
    const p = c.v.parallelism;
    const inputRescaling: RescalingDescriptor[] = Array.from({ length: p }, () => null);
    const outputRescaling: RescalingDescriptor[] = Array.from({ length: p }, () => null);
    if (c.v.restoresOperators) {
      for (let i = 0; i < p; i++) {
        if (c.v.chainLength === 1) {
          inputRescaling[i] = c.inputDescriptor(i);
          outputRescaling[i] = c.outputDescriptor(i);
        } else {
          outputRescaling[i] = c.outputDescriptor(i);
          inputRescaling[i] = c.inputDescriptor(i);
        }
      }
    }
    return { input: c.input, output: c.output, inputRescaling, outputRescaling };
  });
}
