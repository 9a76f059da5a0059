import { bytesToBase64 } from '@ckpt/format';

/**
 * One JSON line: bigint as decimal strings, bytes as `{base64}`, Java maps (decoded as `Map`, keys of
 * any type) as `{map: [[key, value], …]}` in stored order, sets as `{set: […]}`. Decoded state
 * (strings, numbers, bigints, bytes, maps, sets, arrays, plain objects) is written directly, in one
 * walk; only other objects (a `toJSON`, a class instance) send the line through `JSON.stringify`
 * with a replacer, which gives the same text but is several times slower per entry.
 */
export function stateJsonLine(v: unknown): string {
  return plainJson(v) ?? replacedJson(v);
}

/** {@link stateJsonLine} through `JSON.stringify` with a replacer alone (any value). */
export function replacedJson(v: unknown): string {
  return JSON.stringify(v, function (this: Record<string, unknown>, k: string, x: unknown) {
    if (typeof x === 'bigint') return x.toString();
    // the holder's value (the root's holder is `{'': v}`): a Node Buffer has already been through its toJSON here
    const own = this[k];
    if (own instanceof Uint8Array) return { base64: bytesToBase64(own) };
    if (x instanceof Map) return { map: [...x.entries()] };
    if (x instanceof Set) return { set: [...x.values()] };
    return x;
  });
}

/** `JSON.stringify` leaves these out of objects and writes `null` for them in arrays. */
function skipped(x: unknown): boolean {
  return x === undefined || typeof x === 'function' || typeof x === 'symbol';
}

/** The JSON text of `x` when it holds only JSON values, bigints, bytes, maps and sets, else undefined. */
function plainJson(x: unknown): string | undefined {
  switch (typeof x) {
    case 'string':
      return JSON.stringify(x);
    case 'number':
      return Number.isFinite(x) ? String(x) : 'null';
    case 'boolean':
      return x ? 'true' : 'false';
    case 'bigint':
      return `"${x}"`;
    case 'object': {
      if (x === null) return 'null';
      if (x instanceof Uint8Array) return `{"base64":"${bytesToBase64(x)}"}`;
      if (x instanceof Map) {
        const j = plainJson([...x.entries()]);
        return j === undefined ? undefined : `{"map":${j}}`;
      }
      if (x instanceof Set) {
        const j = plainJson([...x.values()]);
        return j === undefined ? undefined : `{"set":${j}}`;
      }
      const proto = Object.getPrototypeOf(x);
      if (proto === Array.prototype) {
        const a = x as unknown[];
        let out = '[';
        for (let i = 0; i < a.length; i++) {
          const e = a[i];
          const j = skipped(e) ? 'null' : plainJson(e);
          if (j === undefined) return undefined;
          out += i === 0 ? j : ',' + j;
        }
        return out + ']';
      }
      if ((proto !== Object.prototype && proto !== null) || 'toJSON' in x) return undefined;
      const o = x as Record<string, unknown>;
      let out = '{';
      let first = true;
      for (const k in o) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) continue;
        const e = o[k];
        if (skipped(e)) continue;
        const j = plainJson(e);
        if (j === undefined) return undefined;
        out += (first ? '' : ',') + JSON.stringify(k) + ':' + j;
        first = false;
      }
      return out + '}';
    }
    default:
      return undefined;
  }
}
