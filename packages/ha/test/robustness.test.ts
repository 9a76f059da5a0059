import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HaError, readCompletedCheckpoint, readConfigMapStore, readKubernetesHandle, readZooKeeperCounter, readZooKeeperHandle } from '../src/index.js';
import { checkpointNodes, loadFixture, VERSIONS } from './support/fixtures.js';

const HA_CODES = ['Truncated', 'BadPayload', 'ClassNotAllowed', 'UnexpectedClass'];

/** Runs fn; it must return or throw an HaError with one of `codes`. Returns the error if any. */
function typed(fn: () => unknown, codes = HA_CODES): HaError | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    if (!(e instanceof HaError)) throw new Error(`not an HaError: ${String(e)}`);
    expect(codes).toContain(e.code);
    return e;
  }
}

const hex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const utf = (s: string): string => {
  const b = Buffer.from(s, 'utf8');
  return b.length.toString(16).padStart(4, '0') + b.toString('hex');
};

const fixtures = VERSIONS.map(loadFixture);
const znodes = fixtures.flatMap((fx) => checkpointNodes(fx).map((n) => n.data));
const oneZnodePerVersion = fixtures.map((fx) => checkpointNodes(fx)[0]!.data);
const haFiles = fixtures.flatMap((fx) => [...fx.haFiles.values()]);

describe('truncated payloads', () => {
  it('every proper prefix of a znode payload is a typed error', () => {
    for (const data of oneZnodePerVersion) {
      for (let n = 0; n < data.length; n++) {
        const e = typed(() => readZooKeeperHandle(data.subarray(0, n), 'znode'));
        expect(e?.code, `prefix ${n}`).toMatch(/Truncated|BadPayload/);
      }
    }
  });

  it('every proper prefix of a completedCheckpoint file is a typed error (property)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...haFiles), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (file, f) => {
        const n = Math.floor(f * file.length);
        const e = typed(() => readCompletedCheckpoint(file.subarray(0, n), 'cp'));
        expect(e).toBeDefined();
      }),
      { numRuns: 300 },
    );
  });
});

describe('corrupted payloads', () => {
  it('flipped bytes in a completedCheckpoint file give a result or a typed error, never anything else', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...haFiles),
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
        (file, flips) => {
          const b = new Uint8Array(file);
          for (const [f, x] of flips) b[Math.floor(f * b.length)]! ^= x;
          const before = b.slice();
          typed(() => readCompletedCheckpoint(b, 'cp'));
          expect(b).toEqual(before); // the input itself was never modified, byte for byte
        },
      ),
      { numRuns: 400 },
    );
  });

  it('flipped bytes in znode data give a handle or a typed error', () => {
    fc.assert(
      fc.property(fc.constantFrom(...znodes), fc.nat(), fc.integer({ min: 1, max: 255 }), (data, at, x) => {
        const b = new Uint8Array(data);
        b[at % b.length]! ^= x;
        const before = b.slice();
        typed(() => readZooKeeperHandle(b, 'znode'));
        expect(b).toEqual(before);
      }),
      { numRuns: 400 },
    );
  });

  it('inputs are never modified', () => {
    const file = haFiles[0]!;
    const copy = new Uint8Array(file);
    readCompletedCheckpoint(file, 'cp');
    expect(file).toEqual(copy);
  });
});

describe('class allow-list', () => {
  it('a class outside the allow-list is rejected before any of its data is read', () => {
    const data = znodes[0]!;
    const name = Buffer.from('org.apache.flink.runtime.state.RetrievableStreamStateHandle');
    const at = Buffer.from(data).indexOf(name);
    const evil = new Uint8Array(data);
    evil.set(Buffer.from('org.apache.commons.collections.functors.InvokerTransforme'), at); // same length
    const e = typed(() => readZooKeeperHandle(evil, 'znode'), ['ClassNotAllowed']);
    expect(e?.offset).toBe(at - 3); // the TC_CLASSDESC byte (before the 2-byte name length)
    expect(e?.message).toContain('InvokerTransforme');
  });

  it('an allowed class in the wrong place is UnexpectedClass', () => {
    // a bare java.lang.Integer(7) where a RetrievableStreamStateHandle belongs
    const integer = hex(`aced0005 73 72 ${utf('java.lang.Integer')} 12e2a0a4f7818738 02 0001 49 ${utf('value')} 78
      72 ${utf('java.lang.Number')} 86ac951d0b94e08b 02 0000 78 70 00000007`);
    expect(typed(() => readZooKeeperHandle(integer, 'znode'), ['UnexpectedClass'])?.message).toContain('java.lang.Integer');
  });

  it('a ConfigMap value of another class is UnexpectedClass', () => {
    const b64 = Buffer.from(znodes[0]!).toString('base64'); // bare handle, no delete marker
    expect(typed(() => readKubernetesHandle(b64, 'k'), ['UnexpectedClass'])).toBeDefined();
    expect(typed(() => readKubernetesHandle('not base64!', 'k'), ['BadPayload'])).toBeDefined();
  });
});

describe('bounded allocation and nesting', () => {
  it('a byte array claiming 2 GiB fails as truncated without allocating it', () => {
    const arr = hex(`aced0005 75 72 ${utf('[B')} acf317f8060854e0 02 0000 78 70 7fffffff 00`);
    const e = typed(() => readZooKeeperHandle(arr, 'znode'), ['Truncated']);
    expect(e?.message).toMatch(/2147483647 array elements/);
  });

  it('a long string claiming 2^62 bytes fails as truncated', () => {
    const s = hex('aced0005 7c 4000000000000000 41');
    expect(typed(() => readZooKeeperHandle(s, 'znode'), ['Truncated'])).toBeDefined();
  });

  it('block data claiming more than the input fails as truncated', () => {
    // java.util.HashMap with a custom writeObject whose block data length overruns
    const map = hex(`aced0005 73 72 ${utf('java.util.HashMap')} 0507dac1c31660d1 03 0000 78 70 7a 7ffffff0 00`);
    expect(typed(() => readZooKeeperHandle(map, 'znode'), ['Truncated'])).toBeDefined();
  });

  it('deeply nested arrays are rejected at the depth bound, not by a stack overflow', () => {
    const depth = 10_000;
    const head = `aced0005 ` + `75 72 ${utf('[Ljava.lang.Object;')} 90ce589f1073296c 02 0000 78 70 00000001 `;
    const next = '75 71 007e0000 00000001 ';
    const bytes = hex(head + next.repeat(depth) + '70');
    const e = typed(() => readZooKeeperHandle(bytes, 'znode'), ['BadPayload']);
    expect(e?.message).toMatch(/nesting deeper than 64 levels/);
  });

  it('counters: ZooKeeper needs 4 bytes, Kubernetes a decimal long', () => {
    expect(readZooKeeperCounter(new Uint8Array([0, 0, 1, 0]), 'c')).toBe(256);
    expect(typed(() => readZooKeeperCounter(new Uint8Array(3), 'c'), ['BadCounter'])).toBeDefined();
    const cm = (counter: string) => JSON.stringify({ kind: 'ConfigMap', metadata: { name: `x-${'a'.repeat(32)}-config-map` }, data: { counter } });
    expect(readConfigMapStore(cm('12345678901')).counter).toBe(12345678901);
    expect(typed(() => readConfigMapStore(cm('12a')), ['BadCounter'])).toBeDefined();
  });

  it('ConfigMap documents that are not ConfigMaps are typed errors', () => {
    expect(typed(() => readConfigMapStore('['), ['BadConfigMap'])).toBeDefined();
    expect(typed(() => readConfigMapStore('{"kind":"Secret","data":{}}'), ['BadConfigMap'])).toBeDefined();
    expect(typed(() => readConfigMapStore('{"kind":"ConfigMap","data":{"a":"b"}}'), ['NotFound'])).toBeDefined();
  });
});
