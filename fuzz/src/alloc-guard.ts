/**
 * Memory ceiling for one decode: typed arrays, ArrayBuffers and Buffers whose size comes
 * from the input must never exceed {@link ceiling} for an input of n bytes (linear in n). The guard
 * wraps the global constructors in Proxies (instanceof keeps working); an allocation over the
 * ceiling throws {@link AllocationCeilingError} and is remembered even when a decoder catches it.
 * `new Array(n)` is not guarded: V8 gives arrays longer than 100 000 a sparse backing store that
 * grows only as elements are set (each element costs input bytes).
 */
export class AllocationCeilingError extends Error {
  constructor(
    readonly requested: number,
    readonly limit: number,
  ) {
    super(`allocation of ${requested} bytes exceeds the ceiling of ${limit} bytes for this input`);
  }
}

/** Bytes a decoder may allocate at once for an n-byte input: Snappy expands ≤ 32×; generous margin. */
export const ceiling = (n: number) => 64 * n + 16 * 1024 * 1024;

let limit = Infinity;
let largest = 0;
let violation: AllocationCeilingError | undefined;
let installed = false;

function check(bytes: number): void {
  if (!Number.isFinite(bytes)) return;
  if (bytes > largest) largest = bytes;
  if (bytes > limit) {
    violation ??= new AllocationCeilingError(bytes, limit);
    throw new AllocationCeilingError(bytes, limit);
  }
}

function sizeOfArgs(bytesPerElement: number, args: unknown[]): number {
  const a = args[0];
  if (typeof a === 'number') return a * bytesPerElement;
  if (a instanceof ArrayBuffer && typeof args[2] === 'number') return args[2] * bytesPerElement;
  return 0;
}

/** Replaces the global constructors once per process. */
export function installAllocationGuard(): void {
  if (installed) return;
  installed = true;
  const g = globalThis as Record<string, unknown>;
  for (const name of ['Uint8Array', 'Int8Array', 'Uint16Array', 'Int16Array', 'Uint32Array', 'Int32Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array', 'ArrayBuffer', 'SharedArrayBuffer']) {
    const ctor = g[name] as (new (...a: unknown[]) => unknown) & { BYTES_PER_ELEMENT?: number };
    if (typeof ctor !== 'function') continue;
    const per = ctor.BYTES_PER_ELEMENT ?? 1;
    const proxy: typeof ctor = new Proxy(ctor, {
      construct(t, args, newTarget): object {
        check(sizeOfArgs(per, args));
        return Reflect.construct(t, args, newTarget === proxy ? t : newTarget) as object;
      },
    });
    g[name] = proxy;
  }
  for (const fn of ['alloc', 'allocUnsafe', 'allocUnsafeSlow'] as const) {
    const orig = Buffer[fn].bind(Buffer) as (...a: unknown[]) => Buffer;
    (Buffer as unknown as Record<string, unknown>)[fn] = (...args: unknown[]) => {
      check(typeof args[0] === 'number' ? args[0] : 0);
      return orig(...args);
    };
  }
}

/** Runs `fn` with the ceiling of an n-byte input; returns its result and any violation seen. */
export async function withCeiling<T>(n: number, fn: () => Promise<T>): Promise<{ value?: T; error?: unknown; violation?: AllocationCeilingError; largest: number }> {
  limit = ceiling(n);
  largest = 0;
  violation = undefined;
  try {
    const value = await fn();
    return { value, largest, ...(violation ? { violation } : {}) };
  } catch (error) {
    return { error, largest, ...(violation ? { violation } : {}) };
  } finally {
    limit = Infinity;
  }
}
