import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { corpusTrailers, HAVE_CORPUS } from './support/corpus.js';
import { propertiesViewArb as view } from './support/arbitraries.js';
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

const haveCorpus = HAVE_CORPUS;

/** One real trailer per distinct trailer length. */
async function realTrailers(): Promise<Uint8Array[]> {
  const byLength = new Map<number, Uint8Array>();
  for (const t of await corpusTrailers()) {
    if (t.trailer.length > 5 && !byLength.has(t.trailer.length)) byLength.set(t.trailer.length, t.trailer);
  }
  return [...byLength.values()];
}

type View = Omit<CheckpointPropertiesView, 'classes'>;
const withoutClasses = (v: CheckpointPropertiesView): View => {
  const { classes: _classes, ...rest } = v;
  return rest;
};

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

const realTrailerList = await realTrailers();

describe.skipIf(!haveCorpus)('trailer properties on corpus trailers', () => {
  const trailers = realTrailerList;

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
