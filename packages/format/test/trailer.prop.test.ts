import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FormatError } from '../src/errors.js';
import {
  TRAILER_CLASSES,
  readCheckpointProperties,
  templateFrom,
  writeCheckpointProperties,
  type CheckpointPropertiesView,
  type SnapshotTypeView,
  type TrailerTemplate,
} from '../src/trailer/index.js';

const CORPUS = '/work/shared/fixtures/flink-corpus';
const haveCorpus = existsSync(join(CORPUS, 'MANIFEST.tsv'));
if (!haveCorpus) console.log(`flink corpus not found at ${CORPUS}: skipping corpus trailer property tests`);

/** One real trailer per distinct trailer length (tests only: the last stream header in the file). */
function realTrailers(): Uint8Array[] {
  if (!haveCorpus) return [];
  const [head, ...rows] = readFileSync(join(CORPUS, 'MANIFEST.tsv'), 'utf8').trim().split('\n');
  const cols = head!.split('\t');
  const byLength = new Map<number, Uint8Array>();
  for (const line of rows) {
    const row = line.split('\t');
    const version = Number(row[cols.indexOf('version')]);
    if (version < 4 || version > 6) continue;
    const file = readFileSync(join(CORPUS, row[cols.indexOf('id')]!, '_metadata'));
    const start = file.lastIndexOf(Buffer.from('aced0005737200' + '38', 'hex'));
    if (start >= 0 && !byLength.has(file.length - start)) byLength.set(file.length - start, new Uint8Array(file.subarray(start)));
  }
  return [...byLength.values()];
}

type View = Omit<CheckpointPropertiesView, 'classes'>;
const withoutClasses = (v: CheckpointPropertiesView): View => {
  const { classes: _classes, ...rest } = v;
  return rest;
};

const anyString = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.nat(0xffff).map((c) => String.fromCharCode(c)) }), // lone surrogates, NUL
  fc.constantFrom('Checkpoint', 'Savepoint', 'NATIVE', 'FORWARD', 'Ljava/lang/String;', ''),
);
const enumName = (...known: string[]): fc.Arbitrary<string | undefined> =>
  fc.option(fc.oneof(fc.constantFrom(...known), anyString), { nil: undefined });
const snapshotType: fc.Arbitrary<SnapshotTypeView> = fc.oneof(
  fc.record(
    {
      kind: fc.constant('checkpoint' as const),
      className: fc.constant(TRAILER_CLASSES.checkpointType),
      name: fc.option(anyString, { nil: null }),
      sharingFilesStrategy: enumName('FORWARD_BACKWARD', 'FORWARD', 'NO_SHARING'),
    },
    { requiredKeys: ['kind', 'className', 'name'] },
  ),
  fc.record(
    {
      kind: fc.constant('savepoint' as const),
      className: fc.constant(TRAILER_CLASSES.savepointType),
      name: fc.option(anyString, { nil: null }),
      formatType: enumName('CANONICAL', 'NATIVE'),
      postCheckpointAction: enumName('NONE', 'SUSPEND', 'TERMINATE'),
    },
    { requiredKeys: ['kind', 'className', 'name'] },
  ),
);
const view: fc.Arbitrary<View> = fc.record({
  discardCancelled: fc.boolean(),
  discardFailed: fc.boolean(),
  discardFinished: fc.boolean(),
  discardSubsumed: fc.boolean(),
  discardSuspended: fc.boolean(),
  forced: fc.boolean(),
  unclaimed: fc.boolean(),
  snapshotType,
});
const long = fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n });
const template: fc.Arbitrary<TrailerTemplate> = fc.record({ checkpointTypeSuid: long, savepointTypeSuid: long });

/** Drops `undefined` optional keys, as the reader never sets them. */
const normalize = (v: View): View => JSON.parse(JSON.stringify(v)) as View;

/** Reads `bytes`; anything thrown must be a FormatError. A valid result must re-encode cleanly. */
function readOrFormatError(bytes: Uint8Array): CheckpointPropertiesView | null | FormatError {
  let v: CheckpointPropertiesView | null;
  try {
    v = readCheckpointProperties(bytes, 1000);
  } catch (e) {
    if (!(e instanceof FormatError)) throw e;
    expect(e.offset).toBeGreaterThanOrEqual(1000);
    expect(e.offset).toBeLessThanOrEqual(1000 + bytes.length);
    return e;
  }
  if (v !== null && v.snapshotType.kind !== 'unknown') {
    const again = readCheckpointProperties(writeCheckpointProperties(v, templateFrom(v)));
    expect(again && withoutClasses(again)).toEqual(withoutClasses(v));
  }
  return v;
}

const synthetic = (): Uint8Array[] => [
  writeCheckpointProperties({
    discardCancelled: true,
    discardFailed: false,
    discardFinished: true,
    discardSubsumed: true,
    discardSuspended: false,
    forced: false,
    unclaimed: false,
    snapshotType: { kind: 'checkpoint', className: '', name: 'Checkpoint', sharingFilesStrategy: 'FORWARD_BACKWARD' },
  }),
  writeCheckpointProperties({
    discardCancelled: false,
    discardFailed: false,
    discardFinished: false,
    discardSubsumed: false,
    discardSuspended: false,
    forced: true,
    unclaimed: false,
    snapshotType: { kind: 'savepoint', className: '', name: 'Terminate Savepoint', formatType: 'NATIVE', postCheckpointAction: 'TERMINATE' },
  }),
];

function truncationCheck(trailer: Uint8Array): void {
  for (let n = 0; n < trailer.length; n++) {
    const r = readOrFormatError(trailer.subarray(0, n));
    expect(r).toBeInstanceOf(FormatError);
    expect(['BadTrailer', 'Truncated']).toContain((r as FormatError).code);
  }
}

function flipCheck(trailers: Uint8Array[], numRuns: number): void {
  const flips = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 3 });
  fc.assert(
    fc.property(fc.nat(trailers.length - 1), flips, (which, changes) => {
      const bytes = trailers[which]!.slice();
      for (const [pos, mask] of changes) bytes[pos % bytes.length] = bytes[pos % bytes.length]! ^ mask;
      readOrFormatError(bytes);
    }),
    { numRuns },
  );
}

describe('trailer properties', () => {
  it('write → read round-trips arbitrary flags, types and templates', () => {
    fc.assert(
      fc.property(view, template, (v, tpl) => {
        const bytes = writeCheckpointProperties(v, tpl);
        const back = readCheckpointProperties(bytes)!;
        expect(withoutClasses(back)).toEqual(normalize(v));
        const type = v.snapshotType.kind === 'checkpoint' ? TRAILER_CLASSES.checkpointType : TRAILER_CLASSES.savepointType;
        const suid = v.snapshotType.kind === 'checkpoint' ? tpl.checkpointTypeSuid : tpl.savepointTypeSuid;
        expect(back.classes).toContainEqual({ name: type, suid: suid.toString() });
        expect(back.classes[0]).toEqual({ name: TRAILER_CLASSES.checkpointProperties, suid: '2' });
        expect(writeCheckpointProperties(back, templateFrom(back))).toEqual(bytes);
      }),
      { numRuns: 500 },
    );
  });

  it('truncated synthetic trailers give BadTrailer or Truncated', () => {
    for (const t of synthetic()) truncationCheck(t);
  });

  it('byte flips in synthetic trailers give a FormatError or a valid view', () => {
    flipCheck(synthetic(), 2000);
  });

  it('random bytes after the stream header never throw anything but FormatError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (tail) => {
        const bytes = new Uint8Array([0xac, 0xed, 0x00, 0x05, ...tail]);
        readOrFormatError(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe.skipIf(!haveCorpus)('trailer properties on corpus trailers', () => {
  const trailers = realTrailers();

  it('every truncation of a real trailer gives BadTrailer or Truncated', () => {
    expect(trailers.length).toBeGreaterThan(0);
    for (const t of trailers) truncationCheck(t);
  });

  it('byte flips in real trailers give a FormatError or a valid view', () => {
    flipCheck(trailers, 3000);
  });

  it('splices of two real trailers give a FormatError or a valid view', () => {
    fc.assert(
      fc.property(fc.nat(trailers.length - 1), fc.nat(trailers.length - 1), fc.nat(), fc.nat(), (a, b, i, j) => {
        const x = trailers[a]!;
        const y = trailers[b]!;
        const bytes = new Uint8Array([...x.subarray(0, i % x.length), ...y.subarray(j % y.length)]);
        readOrFormatError(bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
