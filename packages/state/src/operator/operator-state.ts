import { ByteReader, type DistributionMode, type OperatorStateHandle } from '@ckpt/format';
import { StateError, guard } from '../errors.js';
import { readExactly, type ByteSource } from '../io/source.js';
import { readOperatorStateHeader, type OperatorStateHeader } from '../meta/proxy.js';
import { KEY_SERIALIZER, VALUE_SERIALIZER, requireSerializer, type StateMetaInfo } from '../meta/meta-info.js';
import { codecFor, type ValueCodec } from '../serializers/codecs.js';
import type { OpaqueValue } from '../serializers/values.js';
import { SnappyFraming } from '../snappy/framing.js';

/** One element of a list (SPLIT_DISTRIBUTE / UNION) state, or one entry of a broadcast map. */
export type OperatorStateEntry =
  | { kind: 'element'; state: string; mode: DistributionMode; index: number; offset: number; value: unknown }
  | { kind: 'broadcast'; state: string; mode: 'BROADCAST'; key: unknown; value: unknown }
  /** A broadcast map whose key or value serializer is unknown: the whole map's bytes. */
  | { kind: 'opaqueBroadcast'; state: string; mode: 'BROADCAST'; size: number; bytes: OpaqueValue };

export interface OperatorStateInfo {
  name: string;
  mode: DistributionMode;
  offsets: number[];
  meta: StateMetaInfo;
}

export interface OpenOperatorStateOptions {
  /** For compressed files (Flink 1.18+ `snapshot-compression`); default: the shared {@link SnappyFraming}. */
  framing?: SnappyFraming;
}

/** The header of a handle that holds no operator state (version 0: nothing was written). */
const NO_HEADER: OperatorStateHeader = { version: 0, compressed: false, operatorStates: [], broadcastStates: [], length: 0 };

/** An operator state file opened through its handle: header parsed, elements read on demand. */
export class OperatorStateFile {
  private constructor(
    readonly source: ByteSource,
    readonly header: OperatorStateHeader,
    readonly states: OperatorStateInfo[],
    private readonly size: number,
    private readonly framing: SnappyFraming | undefined,
  ) {}

  static async open(handle: OperatorStateHandle, source: ByteSource, opts: OpenOperatorStateOptions = {}) {
    const size = await source.size();
    // No states and no bytes: an operator without operator state. File-merging checkpoints (1.20+)
    // record one per subtask (Flink's EmptyFileMergingOperatorStreamStateHandle over an empty
    // segment) only to keep the merged files' directories alive; there is no header to read.
    if (size === 0 && handle.states.length === 0) return new OperatorStateFile(source, NO_HEADER, [], 0, undefined);
    const all = handle.states.flatMap((s) => s.offsets.map(Number));
    const headerEnd = all.length ? Math.min(...all) : size;
    if (headerEnd > size) {
      throw new StateError('Truncated', `handle offset ${headerEnd} is past the end of the file (${size} bytes)`, { file: source.name, offset: size });
    }
    const headBytes = await readExactly(source, 0, headerEnd);
    const header = guard(source.name, () => readOperatorStateHeader(new ByteReader(headBytes)));
    const metas = [...header.operatorStates, ...header.broadcastStates];
    const states = handle.states.map((s): OperatorStateInfo => {
      const meta = metas.find((m) => m.name === s.name);
      if (!meta) throw new StateError('MissingState', `state ${s.name} of the handle is not in the file header`, { file: source.name });
      return { name: s.name, mode: s.mode, offsets: s.offsets.map(Number), meta };
    });
    const framing = header.compressed ? (opts.framing ?? (await SnappyFraming.shared())) : opts.framing;
    return new OperatorStateFile(source, header, states, size, framing);
  }

  /** End of the partition starting at `offset`: the next offset of any state, or the file end. */
  private boundaryAfter(offset: number): number {
    let best = this.size;
    for (const s of this.states) for (const o of s.offsets) if (o > offset && o < best) best = o;
    return best;
  }

  /** The uncompressed bytes of the partition at `offset`. */
  private partition(region: Uint8Array, regionStart: number, offset: number): { bytes: Uint8Array; base: number } {
    const end = this.boundaryAfter(offset);
    const raw = region.subarray(offset - regionStart, end - regionStart);
    if (!this.header.compressed) return { bytes: raw, base: offset };
    return { bytes: this.framing!.decode(raw, { base: offset, file: this.source.name }), base: offset };
  }

  /** All entries, state by state (handle order), elements in partition order. */
  async *entries(stateName?: string): AsyncGenerator<OperatorStateEntry> {
    for (const s of this.states) {
      if (stateName !== undefined && s.name !== stateName) continue;
      if (s.offsets.length === 0) continue;
      const first = Math.min(...s.offsets);
      const last = this.boundaryAfter(Math.max(...s.offsets));
      const region = await readExactly(this.source, first, last - first);
      const file = this.source.name;
      if (s.mode === 'BROADCAST') {
        yield* guard(file, () => this.broadcast(s, region, first));
        continue;
      }
      const codec = codecFor(requireSerializer(s.meta, VALUE_SERIALIZER));
      for (let i = 0; i < s.offsets.length; i++) {
        const offset = s.offsets[i]!;
        const value = guard(file, () => {
          const { bytes, base } = this.partition(region, first, offset);
          return decodeExactly(codec, bytes, base, `${s.name}[${i}]`);
        });
        yield { kind: 'element', state: s.name, mode: s.mode, index: i, offset, value };
      }
    }
  }

  private broadcast(s: OperatorStateInfo, region: Uint8Array, first: number): OperatorStateEntry[] {
    const { bytes, base } = this.partition(region, first, s.offsets[0]!);
    const r = new ByteReader(bytes, 0, base);
    const size = r.count('broadcast map size', 2);
    const kc = codecFor(requireSerializer(s.meta, KEY_SERIALIZER));
    const vc = codecFor(requireSerializer(s.meta, VALUE_SERIALIZER));
    if (kc.opaque || vc.opaque) {
      const bytesOut: OpaqueValue = { kind: 'opaque', serializer: kc.opaque ? kc.className : vc.className, bytes: bytes.slice(4) };
      return [{ kind: 'opaqueBroadcast', state: s.name, mode: 'BROADCAST', size, bytes: bytesOut }];
    }
    const out: OperatorStateEntry[] = [];
    for (let i = 0; i < size; i++) {
      const key = r.at(`${s.name}[${i}].key`, () => kc.read(r));
      const value = r.at(`${s.name}[${i}].value`, () => vc.read(r));
      out.push({ kind: 'broadcast', state: s.name, mode: 'BROADCAST', key, value });
    }
    expectEnd(r, s.name);
    return out;
  }
}

/** Decodes one value that must fill `bytes`; opaque serializers give the bytes themselves. */
function decodeExactly(codec: ValueCodec, bytes: Uint8Array, base: number, path: string): unknown {
  if (codec.opaque && !codec.readWhole) return { kind: 'opaque', serializer: codec.className, bytes: bytes.slice() } satisfies OpaqueValue;
  const r = new ByteReader(bytes, 0, base);
  const v = r.at(path, () => (codec.readWhole ? codec.readWhole(r) : codec.read(r)));
  expectEnd(r, path);
  return v;
}

/** Refuses bytes left in the reader after `what` (BadLength, with the reader's offset and path). */
export function expectEnd(r: ByteReader, what: string): void {
  if (r.remaining !== 0) {
    throw new StateError('BadLength', `${r.remaining} unexpected bytes after ${what}`, { offset: r.base + r.offset, path: r.path });
  }
}
