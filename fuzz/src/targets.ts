/**
 * The decoders under test, each as a target: `run(bytes)` feeds one input to a decoder and returns
 * normally or throws. {@link classify} tells the package's typed error (an expected refusal) from a
 * crash (anything else). Targets that open a state file through a handle take the handle from a
 * seed's checkpoint: the input's first two bytes pick the context, the rest is the file.
 */
import { readFileSync } from 'node:fs';
import { ByteReader, CkptError, decodeMetadata, FormatError, readCheckpointProperties } from '@ckpt/format';
import {
  codecFor,
  KeyedStateFile,
  MemorySource,
  OperatorStateFile,
  readKeyedStateHeader,
  readOperatorStateHeader,
  SnappyFraming,
  StateError,
} from '@ckpt/state';
import { parseMetadata, serializeMetadata, type MetadataFormat } from '@ckpt/convert';
import { normalizeJob, parseJobInput } from '@ckpt/restore';
import { RocksError } from '@ckpt/rocksdb';
import { ROCKSDB_TARGETS } from './rocksdb-targets.js';
import { jobFiles, metadataFiles, stateContexts, type StateContext } from './seeds.js';

export interface Target {
  name: string;
  /** The package whose typed error this decoder must throw. */
  typed: 'FormatError' | 'StateError' | 'RocksError' | 'CkptError';
  /** Leading bytes of an input that pick a context rather than being file content. */
  context?: number;
  /** Seed inputs (built lazily: reading them decodes the corpus). */
  seeds(): Uint8Array[];
  run(bytes: Uint8Array): unknown;
}

/** What became of one input. */
export type Outcome = { kind: 'ok' } | { kind: 'typed'; error: CkptError } | { kind: 'crash'; error: unknown };

/**
 * A typed refusal is the package's error class (never `Internal`). A typed error that wraps a
 * plain JavaScript exception counts too where that is deliberate (a parser library's error kept as
 * the cause of a specific code), but not the state package's catch-all: `asStateError` turns any
 * throwable into a `BadValue`, so a TypeError or RangeError behind a BadValue is a bug.
 */
export function classify(t: Target, e: unknown): Outcome {
  const ok =
    t.typed === 'FormatError'
      ? e instanceof FormatError
      : t.typed === 'StateError'
        ? e instanceof StateError
        : t.typed === 'RocksError'
          ? e instanceof RocksError
          : e instanceof CkptError;
  if (!ok) return { kind: 'crash', error: e };
  const err = e as CkptError;
  if (err.code === 'Internal') return { kind: 'crash', error: e };
  if (err instanceof StateError && err.code === 'BadValue' && err.cause !== undefined && !(err.cause instanceof CkptError)) {
    return { kind: 'crash', error: e };
  }
  return { kind: 'typed', error: err };
}

export async function execute(t: Target, bytes: Uint8Array): Promise<Outcome> {
  try {
    await t.run(bytes);
    return { kind: 'ok' };
  } catch (e) {
    return classify(t, e);
  }
}

const read = (f: string) => new Uint8Array(readFileSync(f));
const once = <T>(f: () => T): (() => T) => {
  let v: T | undefined;
  return () => (v ??= f());
};

const metadataSeeds = once(() => metadataFiles().map(read));
const decodedSeeds = once(() =>
  metadataSeeds().flatMap((b) => {
    try {
      return [decodeMetadata(b)];
    } catch {
      return [];
    }
  }),
);
const contexts = once(stateContexts);
let framing: SnappyFraming | undefined;
/** Must be awaited once before running the state targets. */
export async function prepare(): Promise<void> {
  framing ??= await SnappyFraming.create();
}

/** Input = 2-byte big-endian context index, then the file bytes. */
function withContext(kind: StateContext['kind']) {
  const list = once(() => contexts().filter((c) => c.kind === kind));
  return {
    seeds: () => list().map((c, i) => Uint8Array.of(i >> 8, i & 0xff, ...c.bytes)),
    pick: (bytes: Uint8Array): [StateContext, Uint8Array] | undefined => {
      const l = list();
      if (l.length === 0 || bytes.length < 2) return undefined;
      return [l[((bytes[0]! << 8) | bytes[1]!) % l.length]!, bytes.subarray(2)];
    },
  };
}

/** A state file opened through the handle of the context the input picks, every entry read. */
function stateFileTarget(
  name: string,
  kind: StateContext['kind'],
  open: (c: StateContext, source: MemorySource) => Promise<{ entries(): AsyncIterable<unknown> }> | undefined,
): Target {
  const ctx = withContext(kind);
  return {
    name,
    typed: 'StateError',
    context: 2,
    seeds: ctx.seeds,
    run: async (bytes) => {
      const got = ctx.pick(bytes);
      const file = got && (await open(got[0], new MemorySource(got[1], 'fuzz')));
      if (file) for await (const _ of file.entries());
    },
  };
}

function convertTarget(format: MetadataFormat): Target {
  return {
    name: `convert-${format}`,
    typed: 'CkptError',
    seeds: () => decodedSeeds().map((m) => serializeMetadata(m, format)),
    run: (bytes) => parseMetadata(bytes, format),
  };
}

export const TARGETS: Target[] = [
  {
    name: 'metadata',
    typed: 'FormatError',
    seeds: metadataSeeds,
    run: (bytes) => decodeMetadata(bytes),
  },
  {
    name: 'trailer',
    typed: 'FormatError',
    seeds: () => decodedSeeds().flatMap((m) => (m.properties ? [m.properties.raw] : [])),
    run: (bytes) => readCheckpointProperties(bytes),
  },
  {
    // serializer snapshots and meta infos of the state file headers, and a codec for each
    name: 'state-header',
    typed: 'StateError',
    context: 1,
    seeds: () => contexts().map((c) => Uint8Array.of(c.kind === 'keyed' ? 1 : 0, ...c.bytes)),
    run: (bytes) => {
      if (bytes.length === 0) return;
      const r = new ByteReader(bytes.subarray(1));
      const header = (() => {
        try {
          return bytes[0]! & 1 ? readKeyedStateHeader(r) : readOperatorStateHeader(r);
        } catch (e) {
          if (!(e instanceof FormatError)) throw e;
          const code = e.code === 'Truncated' || e.code === 'BadLength' || e.code === 'BadUtf' ? e.code : 'BadValue';
          throw new StateError(code, e.detail, { offset: e.offset, path: e.path, cause: e });
        }
      })();
      const metas = 'states' in header ? header.states : [...header.operatorStates, ...header.broadcastStates];
      if ('keySerializer' in header) codecFor(header.keySerializer);
      for (const m of metas) for (const [, s] of m.serializers) codecFor(s);
    },
  },
  stateFileTarget('operator-state', 'operator', (c, source) =>
    c.kind === 'operator' ? OperatorStateFile.open(c.handle, source, { framing }) : undefined,
  ),
  stateFileTarget('keyed-state', 'keyed', (c, source) =>
    c.kind === 'keyed' ? KeyedStateFile.open(c.handle, source, { maxParallelism: c.maxParallelism, framing }) : undefined,
  ),
  {
    name: 'snappy',
    typed: 'StateError',
    seeds: () => contexts().slice(0, 200).map((c) => framing!.encode(c.bytes.subarray(0, 3 * 65536))),
    run: (bytes) => framing!.decode(bytes),
  },
  convertTarget('json'),
  convertTarget('msgpack'),
  convertTarget('protobuf'),
  {
    name: 'job',
    typed: 'CkptError',
    seeds: () => jobFiles().map(read),
    run: (bytes) => normalizeJob(parseJobInput(new TextDecoder().decode(bytes))),
  },
  // sst and manifest: seeds written by ldb at run time
  ...ROCKSDB_TARGETS,
];

export function target(name: string): Target {
  const t = TARGETS.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target ${name}; targets: ${TARGETS.map((x) => x.name).join(', ')}`);
  return t;
}
