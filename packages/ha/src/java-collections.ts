/**
 * JDK collections as `ObjectOutputStream` writes them, for the writer: `HashMap` (its table
 * size and threshold follow how the map was built, its entries come in bucket order),
 * `ArrayList`, `Collections.singleton`, `Collections.emptyList()` and boxed `Integer`s (the
 * `Integer.valueOf` cache makes -128…127 one object each per JVM).
 */
import { javaHashMapOrderBy } from '@ckpt/restore';
import { HaError } from './errors.js';
import type { FlinkClasses } from './flink-classes.js';
import { CLS } from './flink-classes.js';
import type { WContent, WObject } from './java-writer.js';

const LOAD_FACTOR = 0.75;
const DEFAULT_CAPACITY = 16;
/** `HashMap.MAXIMUM_CAPACITY`: tables never grow past 2^30 buckets. */
const MAXIMUM_CAPACITY = 2 ** 30;
const INT_MAX = 0x7fffffff;

/** `HashMap.tableSizeFor`: the next power of two, at most {@link MAXIMUM_CAPACITY}. */
function tableSizeFor(n: number): number {
  let c = 1;
  while (c < n && c < MAXIMUM_CAPACITY) c *= 2;
  return c;
}

interface Entry {
  key: WContent;
  value: WContent;
  hash: number;
}

/**
 * A `java.util.HashMap` being built: the table size and threshold evolve as in the JDK (17)
 * (lazy table, doubling when the size passes the threshold), and the entries iterate as Java
 * iterates them: by bucket of the spread hash, in insertion order within a bucket (tree bins,
 * which need 8 collisions in one bucket of a table of at least 64, are not modelled).
 */
export class JavaHashMap {
  private capacity = 0;
  private threshold: number;
  private readonly entries: Entry[] = [];

  /** `new HashMap<>(initialCapacity)`, or `new HashMap<>()` without one. */
  constructor(initialCapacity?: number) {
    this.threshold = initialCapacity === undefined ? 0 : tableSizeFor(Math.max(1, initialCapacity));
  }

  /** `CollectionUtil.newHashMapWithExpectedSize(n)` (Flink). */
  static withExpectedSize(n: number): JavaHashMap {
    return new JavaHashMap(n <= 2 ? n + 1 : Math.ceil(n / LOAD_FACTOR));
  }

  /** `new HashMap<>(other)`: sized for the other map's entries (JDK 17: size / 0.75 + 1), then filled in its order. */
  static copyOf(other: JavaHashMap): JavaHashMap {
    const m = new JavaHashMap();
    const s = other.entries.length;
    if (s > 0) m.threshold = tableSizeFor(Math.trunc(Math.fround(Math.fround(s / LOAD_FACTOR) + 1)));
    for (const e of other.ordered()) m.put(e.key, e.value, e.hash);
    return m;
  }

  get size(): number {
    return this.entries.length;
  }

  /** Puts a new key (callers never put a key twice). */
  put(key: WContent, value: WContent, hash: number): void {
    if (this.capacity === 0) this.resize();
    this.entries.push({ key, value, hash });
    if (this.entries.length > this.threshold) this.resize();
  }

  private resize(): void {
    const oldCap = this.capacity;
    const oldThr = this.threshold;
    let newCap: number;
    let newThr = 0;
    if (oldCap >= MAXIMUM_CAPACITY) {
      this.threshold = INT_MAX;
      return;
    }
    if (oldCap > 0) {
      newCap = oldCap * 2;
      if (newCap < MAXIMUM_CAPACITY && oldCap >= DEFAULT_CAPACITY) newThr = oldThr * 2;
    } else if (oldThr > 0) newCap = oldThr;
    else {
      newCap = DEFAULT_CAPACITY;
      newThr = DEFAULT_CAPACITY * LOAD_FACTOR;
    }
    if (newThr === 0) {
      const ft = Math.fround(newCap * LOAD_FACTOR);
      newThr = newCap < MAXIMUM_CAPACITY && ft < MAXIMUM_CAPACITY ? Math.trunc(ft) : INT_MAX;
    }
    this.capacity = newCap;
    this.threshold = newThr;
  }

  private ordered(): Entry[] {
    return javaHashMapOrderBy(this.entries, (e) => e.hash, this.capacity || 1);
  }

  /** The map as `HashMap.writeObject` writes it: loadFactor, threshold; buckets, size, then key/value pairs. */
  toObject(classes: FlinkClasses): WObject {
    const d = classes.desc(CLS.hashMap);
    const buckets = this.capacity > 0 ? this.capacity : this.threshold > 0 ? this.threshold : DEFAULT_CAPACITY;
    const head = new Uint8Array(8);
    new DataView(head.buffer).setInt32(0, buckets);
    new DataView(head.buffer).setInt32(4, this.entries.length);
    return {
      kind: 'object',
      classDesc: d,
      classData: [{ classDesc: d, values: [LOAD_FACTOR, this.threshold], annotation: [head, ...this.ordered().flatMap((e) => [e.key, e.value])] }],
    };
  }
}

/** One object with a single class (no serializable superclass), its field values by name. */
export function plainObject(classes: FlinkClasses, name: string, values: Record<string, unknown>): WObject {
  const chain = [];
  for (let d: ReturnType<FlinkClasses['desc']> | null = classes.desc(name); d !== null; d = d.superClass) chain.unshift(d);
  return {
    kind: 'object',
    classDesc: classes.desc(name),
    classData: chain.map((d) => ({
      classDesc: d,
      values: d.fields.map((f) => {
        if (!(f.name in values)) throw new HaError('InvalidModel', `${name} needs a value for ${d.name}.${f.name}`);
        return values[f.name] as WContent;
      }),
    })),
  };
}

/** `new ArrayList<>(items)` as written: the size field, then the size again and the elements. */
export function arrayList(classes: FlinkClasses, items: readonly WContent[]): WObject {
  const d = classes.desc(CLS.arrayList);
  const size = new Uint8Array(4);
  new DataView(size.buffer).setInt32(0, items.length);
  return { kind: 'object', classDesc: d, classData: [{ classDesc: d, values: [items.length], annotation: [size, ...items] }] };
}
