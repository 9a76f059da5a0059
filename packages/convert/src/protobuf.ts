import { FormatError, type CheckpointMetadata } from '@ckpt/format';
import protobuf from 'protobufjs';
import { CHECKPOINT_PROTO } from './checkpoint-proto.generated.js';
import { withDerivedFields } from './derived.js';

// The model ↔ protobuf mapping is driven by the schema itself (protobufjs reflection): a message
// whose only oneof is named `kind` and covers all its fields is a handle union.

type Obj = Record<string, unknown>;

let rootCache: protobuf.Root | undefined;

/** The parsed `schemas/checkpoint.proto`. */
export function checkpointProtoRoot(): protobuf.Root {
  if (rootCache === undefined) {
    rootCache = protobuf.parse(CHECKPOINT_PROTO, { keepCase: false }).root;
    rootCache.resolveAll();
  }
  return rootCache;
}

function metadataType(): protobuf.Type {
  return checkpointProtoRoot().lookupType('ckpt.v1.CheckpointMetadata');
}

function isUnion(t: protobuf.Type): boolean {
  const oneofs = t.oneofsArray;
  return oneofs.length === 1 && oneofs[0]!.name === 'kind' && oneofs[0]!.fieldsArray.length === t.fieldsArray.length;
}

function isOptionalScalar(f: protobuf.Field): boolean {
  return f.partOf !== null && f.partOf.name.startsWith('_');
}

/** Model fields that are lists or absent (never an empty list) in the model. */
const OPTIONAL_LISTS = new Set(['operatorStateFlagsRaw']);

function toProto(value: unknown, t: protobuf.Type): Obj {
  if (isUnion(t)) {
    if (value === null) return {};
    const { kind, ...rest } = value as Obj & { kind: string };
    const f = t.fields[kind];
    if (!f) throw new FormatError('InvalidModel', `unknown kind ${String(kind)} for ${t.name}`);
    return { [kind]: toProto(rest, f.resolvedType as protobuf.Type) };
  }
  const out: Obj = {};
  const v = value as Obj;
  for (const f of t.fieldsArray) {
    const x = v[f.name];
    if (x === undefined || x === null) continue;
    const sub = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    const one = (e: unknown) => (sub ? toProto(e, sub) : scalarToProto(e));
    out[f.name] = f.repeated ? (x as unknown[]).map(one) : one(x);
  }
  return out;
}

function scalarToProto(x: unknown): unknown {
  return typeof x === 'bigint' ? x.toString() : x;
}

function fromProto(o: Obj, t: protobuf.Type): unknown {
  if (isUnion(t)) {
    const kind = o.kind as string | undefined;
    if (kind === undefined) return null;
    const body = fromProto(o[kind] as Obj, t.fields[kind]!.resolvedType as protobuf.Type) as Obj;
    return { kind, ...body };
  }
  const out: Obj = {};
  for (const f of t.fieldsArray) {
    const x = o[f.name];
    const sub = f.resolvedType instanceof protobuf.Type ? f.resolvedType : undefined;
    if (f.repeated) {
      const list = (x as unknown[] | undefined) ?? [];
      if (OPTIONAL_LISTS.has(f.name) && list.length === 0) continue;
      out[f.name] = list.map((e) => (sub ? fromProto(e as Obj, sub) : scalarFromProto(e, f)));
    } else if (sub) {
      if (x !== undefined && x !== null) out[f.name] = fromProto(x as Obj, sub);
      else if (isUnion(sub)) out[f.name] = null;
    } else if (x !== undefined || !isOptionalScalar(f)) {
      out[f.name] = scalarFromProto(x, f);
    }
  }
  return out;
}

function scalarFromProto(x: unknown, f: protobuf.Field): unknown {
  if (f.type === 'int64') return BigInt(x as string);
  if (f.type === 'bytes') return x instanceof Uint8Array ? new Uint8Array(x) : new Uint8Array();
  return x;
}

/** The model as protobuf bytes (`ckpt.v1.CheckpointMetadata`). */
export function toProtobuf(meta: CheckpointMetadata): Uint8Array {
  const t = metadataType();
  const msg = t.fromObject(toProto(meta, t));
  return t.encode(msg).finish();
}

/** The model from protobuf bytes; derived fields (the trailer's view) are recomputed. */
export function fromProtobuf(bytes: Uint8Array): CheckpointMetadata {
  const t = metadataType();
  let decoded: protobuf.Message;
  const reader = protobuf.Reader.create(bytes);
  try {
    decoded = t.decode(reader);
  } catch (e) {
    const offset = Math.min(reader.pos, bytes.length);
    throw new FormatError('InvalidModel', `not a ckpt.v1.CheckpointMetadata message: ${(e as Error).message}`, { cause: e, offset });
  }
  const obj = t.toObject(decoded, { longs: String, defaults: true, oneofs: true, arrays: true });
  return withDerivedFields(fromProto(obj, t) as CheckpointMetadata);
}
