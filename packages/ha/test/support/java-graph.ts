/**
 * Test support: the reader's tree of a Java stream as a graph for the writer. The reader keeps
 * object identity (a back-reference is the same JS object) but resolves strings to JS strings,
 * which lose theirs: each string becomes a new `String`, except the strings named in `shared`
 * (class name → field), each of which is one `String` object for all the places with that value
 * — in a `CompletedCheckpoint`, `externalPointer` is its storage location's own String (Flink's
 * constructor copies the reference), while the equal URI string of the exclusive directory is
 * another object.
 */
import type { JavaContent, JavaFieldValue } from '@ckpt/format';
import type { JavaStringObject, WContent, WValue } from '../../src/java-writer.js';

export function toWriterGraph(root: JavaContent, shared: Record<string, string> = {}): WContent {
  const objects = new Map<object, WContent>();
  const strings = new Map<string, JavaStringObject>();
  const value = (v: JavaFieldValue, owner?: string): WValue => {
    if (typeof v === 'string' && owner !== undefined) {
      let s = strings.get(v);
      if (s === undefined) strings.set(v, (s = { kind: 'string', value: v }));
      return s;
    }
    return typeof v === 'object' ? content(v) : v;
  };
  const content = (v: JavaContent): WContent => {
    if (v === null || typeof v === 'string') return v;
    const known = objects.get(v);
    if (known !== undefined) return known;
    switch (v.kind) {
      case 'enum': {
        const e: WContent = { kind: 'enum', classDesc: v.classDesc, constant: v.constant };
        objects.set(v, e);
        return e;
      }
      case 'array': {
        const a = { kind: 'array' as const, classDesc: v.classDesc, elements: [] as WValue[] | Uint8Array };
        objects.set(v, a);
        a.elements = v.elements instanceof Uint8Array ? v.elements : v.elements.map((x) => value(x));
        return a;
      }
      case 'object': {
        const o = { kind: 'object' as const, classDesc: v.classDesc, classData: [] as { classDesc: typeof v.classDesc; values: WValue[]; annotation?: (Uint8Array | WContent)[] }[] };
        objects.set(v, o);
        for (const cd of v.classData) {
          o.classData.push({
            classDesc: cd.classDesc,
            values: cd.values.map((x, i) => value(x, shared[cd.classDesc.name] === cd.classDesc.fields[i]!.name ? cd.classDesc.name : undefined)),
            ...(cd.annotation ? { annotation: cd.annotation.map((a) => (a instanceof Uint8Array ? a : content(a))) } : {}),
          });
        }
        return o;
      }
      default:
        throw new Error(`unexpected ${v.kind}`);
    }
  };
  return content(root);
}
