/**
 * Test support: a Java object tree (as `readJavaStream` returns it) as plain data that says what
 * the objects hold, not how the stream was laid out: maps as their entries sorted by key (no
 * table size or threshold), JDK lists and sets as element lists, sharing expanded.
 */
import type { JavaContent, JavaFieldValue, JavaObject } from '@ckpt/format';

const LISTS = new Set(['java.util.ArrayList', 'java.util.Collections$EmptyList', 'java.util.Collections$SingletonSet', 'java.util.Collections$SingletonList']);

export function javaTree(v: JavaFieldValue): unknown {
  if (typeof v === 'bigint') return `${v}n`;
  if (v === null || typeof v !== 'object') return v;
  if (v.kind === 'enum') return `${v.className}.${v.constant}`;
  if (v.kind === 'array') return v.elements instanceof Uint8Array ? Buffer.from(v.elements).toString('hex') : v.elements.map(javaTree);
  if (v.kind !== 'object') return `class ${v.classDesc.name}`;
  const name = v.classDesc.name;
  if (name === 'java.util.HashMap') {
    const items = objectsOf(v);
    const entries: [unknown, unknown][] = [];
    for (let i = 0; i + 1 < items.length; i += 2) entries.push([javaTree(items[i]!), javaTree(items[i + 1]!)]);
    return { '#map': entries.sort((a, b) => (JSON.stringify(a[0]) < JSON.stringify(b[0]) ? -1 : 1)) };
  }
  if (LISTS.has(name)) {
    const el = v.classData.at(-1)!;
    const idx = el.classDesc.fields.findIndex((f) => f.name === 'element');
    return { '#list': idx >= 0 ? [javaTree(el.values[idx]!)] : objectsOf(v).map(javaTree) };
  }
  const out: Record<string, unknown> = { '#class': name };
  for (const cd of v.classData) cd.classDesc.fields.forEach((f, i) => (out[f.name] = javaTree(cd.values[i]!)));
  return out;
}

/** The objects of the custom data of the most-derived class (a collection's elements). */
function objectsOf(o: JavaObject): JavaContent[] {
  return (o.classData.at(-1)!.annotation ?? []).filter((a): a is JavaContent => !(a instanceof Uint8Array));
}
