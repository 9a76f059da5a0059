import type { ByteReader, ByteWriter } from '@ckpt/format';
import { StateError } from '../errors.js';
import type { ValueCodec } from './codecs.js';
import { readBool, writeBool } from './data.js';
import { ROW_KINDS, type RowValue } from './values.js';

const POJO_IS_NULL = 1;
const POJO_NO_SUBCLASS = 2;

/** A POJO decoded with the field layout of its snapshot: `{ field: value }`, or null. */
export function pojoCodec(type: string, className: string, fields: { name: string; codec: ValueCodec }[]): ValueCodec {
  if (fields.some((f) => f.codec.opaque)) {
    return { type, className, fixedLength: -1, opaque: true, read: opaqueRead(className), write: opaqueWrite(type) };
  }
  return {
    type,
    className,
    fixedLength: -1,
    opaque: false,
    read(r: ByteReader) {
      const at = r.offset;
      const flags = r.u8('pojo flags');
      if (flags & POJO_IS_NULL) return null;
      if (!(flags & POJO_NO_SUBCLASS)) {
        throw new StateError('UnknownSerializer', `POJO ${type} holds a subclass (flags ${flags}); its layout is not in the snapshot`, {
          offset: r.base + at,
          path: r.path,
        });
      }
      const out: Record<string, unknown> = {};
      for (const f of fields) out[f.name] = readBool(r, `${f.name} is null`) ? null : f.codec.read(r);
      return out;
    },
    write(w: ByteWriter, v: unknown) {
      if (v === null) {
        w.u8(POJO_IS_NULL);
        return;
      }
      if (typeof v !== 'object') throw new StateError('BadValue', `cannot write ${String(v)} as ${type}`);
      w.u8(POJO_NO_SUBCLASS);
      const o = v as Record<string, unknown>;
      for (const f of fields) {
        const x = o[f.name] ?? null;
        writeBool(w, x === null);
        if (x !== null) f.codec.write(w, x);
      }
    },
  };
}

/** `Row`: a null mask (MSB first, two row-kind bits first when supported), then non-null fields. */
export function rowCodec(type: string, className: string, fields: ValueCodec[], supportsRowKind: boolean): ValueCodec {
  if (fields.some((f) => f.opaque)) {
    return { type, className, fixedLength: -1, opaque: true, read: opaqueRead(className), write: opaqueWrite(type) };
  }
  const offset = supportsRowKind ? 2 : 0;
  const bits = offset + fields.length;
  return {
    type,
    className,
    fixedLength: -1,
    opaque: false,
    read(r: ByteReader): RowValue {
      const mask: boolean[] = [];
      for (let i = 0; i < bits; i += 8) {
        const b = r.u8('row null mask');
        for (let j = 0; j < 8 && i + j < bits; j++) mask.push(((b << j) & 0x80) !== 0);
      }
      const rowKind = supportsRowKind ? ROW_KINDS[(mask[0] ? 1 : 0) + (mask[1] ? 2 : 0)]! : 'INSERT';
      const out: unknown[] = fields.map((f, i) => (mask[offset + i] ? null : f.read(r)));
      return { kind: 'row', rowKind, fields: out };
    },
    write(w: ByteWriter, v: unknown) {
      const row = v as RowValue;
      if (row?.kind !== 'row' || row.fields.length !== fields.length) {
        throw new StateError('BadValue', `cannot write ${String(v)} as ${type}`);
      }
      const mask: boolean[] = [];
      if (supportsRowKind) {
        const k = ROW_KINDS.indexOf(row.rowKind);
        mask.push((k & 1) !== 0, (k & 2) !== 0);
      }
      for (const f of row.fields) mask.push(f === null);
      for (let i = 0; i < bits; i += 8) {
        let b = 0;
        for (let j = 0; j < 8; j++) b = (b << 1) | (mask[i + j] ? 1 : 0);
        w.u8(b & 0xff);
      }
      fields.forEach((f, i) => {
        const x = row.fields[i];
        if (x !== null) f.write(w, x);
      });
    },
  };
}

function opaqueRead(className: string) {
  return (r: ByteReader): never => {
    throw new StateError('UnknownSerializer', `values of ${className} have a field with an unknown serializer`, {
      offset: r.base + r.offset,
      path: r.path,
    });
  };
}

function opaqueWrite(type: string) {
  return (w: ByteWriter, v: unknown): void => {
    const o = v as { kind?: string; bytes?: Uint8Array };
    if (o?.kind !== 'opaque' || !o.bytes) throw new StateError('BadValue', `cannot write ${String(v)} as ${type}`);
    w.raw(o.bytes);
  };
}
