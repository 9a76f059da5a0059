import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeMetadata, decodeMetadataAsync, encodeMetadata, fromJson, operatorIdFromUid, toJson } from '../src/index.js';
import { sameBytes } from './support/bytes.js';
import { generatedFixtures } from './support/generated.js';

const fixtures = generatedFixtures();

describe('fixtures written by real Flink (conformance generator)', () => {
  it('exist for Flink 1.20, 2.0 and 2.3', () => {
    const versions = new Set(fixtures.map((f) => f.flinkVersion.split('.').slice(0, 2).join('.')));
    for (const v of ['1.20', '2.0', '2.3']) expect(versions.has(v), v).toBe(true);
  });

  it.each(fixtures.map((f) => [`${f.flinkVersion}/${f.scenario}`, f] as const))('%s', (_n, f) => {
    const bytes = new Uint8Array(readFileSync(f.metadataFile));
    const meta = decodeMetadata(bytes, { file: f.metadataFile });
    if (f.manifest.metadataVersion !== undefined) expect(meta.version).toBe(f.manifest.metadataVersion);
    if (f.manifest.checkpointId !== undefined) expect(meta.checkpointId).toBe(BigInt(f.manifest.checkpointId));
    expect(sameBytes(encodeMetadata(meta), bytes)).toBe(true);
    expect(sameBytes(encodeMetadata(fromJson(JSON.parse(JSON.stringify(toJson(meta))))), bytes)).toBe(true);

    const kind = meta.properties?.view?.snapshotType.kind;
    if (f.manifest.snapshot === 'savepoint') expect(kind).toBe('savepoint');
    if (f.manifest.snapshot === 'checkpoint') expect(kind).toBe('checkpoint');
    if (kind === 'savepoint' && typeof f.manifest.format === 'string') {
      expect(meta.properties!.view!.snapshotType.formatType).toBe(f.manifest.format.toUpperCase());
    }

    const inFile = new Set(meta.operators.map((o) => o.operatorId));
    for (const op of f.manifest.operators ?? []) {
      // Flink's own uid → operator id hash agrees with ours.
      if (op.uid) expect(operatorIdFromUid(op.uid), op.uid).toBe(op.operatorId);
      if (meta.version >= 5 && op.uid) {
        const stored = meta.operators.find((o) => o.operatorId === op.operatorId);
        if (stored) expect(stored.uid).toBe(op.uid);
      }
    }
    expect(inFile.size).toBe(meta.operators.length);
  });
});

describe('input digest', () => {
  const f = fixtures[0]!;
  const bytes = new Uint8Array(readFileSync(f.metadataFile));
  const expected = createHash('sha256').update(bytes).digest('hex');

  it('is recorded by default, by the sync and the async decoder', async () => {
    expect(decodeMetadata(bytes).input).toEqual({ byteLength: bytes.length, sha256: expected });
    expect((await decodeMetadataAsync(bytes)).input?.sha256).toBe(expected);
  });

  it('is skipped with { digest: false }, leaving the rest of the model as it was', async () => {
    const plain = decodeMetadata(bytes, { digest: false, file: 'x' });
    expect(plain.input).toEqual({ byteLength: bytes.length, file: 'x' });
    expect((await decodeMetadataAsync(bytes, { digest: false })).input).toEqual({ byteLength: bytes.length });
    const full = decodeMetadata(bytes, { file: 'x' });
    delete full.input!.sha256;
    expect(plain).toEqual(full);
    expect(sameBytes(encodeMetadata(plain), bytes)).toBe(true);
  });

  it('is hashed on first read, shows in JSON and spreads, and can be overwritten', () => {
    const copy = bytes.slice();
    const meta = decodeMetadata(copy);
    expect(Object.getOwnPropertyDescriptor(meta.input, 'sha256')?.get).toBeTypeOf('function');
    expect(JSON.parse(JSON.stringify(meta.input)).sha256).toBe(expected);
    expect({ ...meta.input }.sha256).toBe(expected);
    // once read, the value is kept even if the caller later reuses its buffer
    copy.fill(0);
    expect(meta.input!.sha256).toBe(expected);
    meta.input!.sha256 = 'other';
    expect(meta.input!.sha256).toBe('other');
  });
});

describe('decoded models borrow the input', () => {
  const f = fixtures.find((x) => x.scenario === 'inline-state-savepoint') ?? fixtures[0]!;
  const bytes = new Uint8Array(readFileSync(f.metadataFile));

  it('byte fields are views into the input bytes', () => {
    const meta = decodeMetadata(bytes);
    expect(meta.properties?.raw.buffer).toBe(bytes.buffer);
    const inline = JSON.stringify(meta, (_k, v) => (typeof v === 'bigint' ? String(v) : v instanceof Uint8Array ? (v.buffer === bytes.buffer ? 'view' : 'copy') : v));
    expect(inline).not.toContain('"copy"');
  });

  it('a trailer decoded before comes back as a fresh copy: editing one model does not touch the next', () => {
    const a = decodeMetadata(bytes);
    if (!a.properties?.view) return expect(a.version).toBeLessThan(4);
    const before = structuredClone(a.properties.view);
    a.properties.view.snapshotType.name = 'edited';
    a.properties.view.classes[0]!.name = 'edited';
    a.properties.view.forced = !a.properties.view.forced;
    const b = decodeMetadata(bytes);
    expect(b.properties!.view).toEqual(before);
    expect(b.properties!.view).not.toBe(a.properties.view);
  });
});
