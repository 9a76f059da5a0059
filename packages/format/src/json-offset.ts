/**
 * Where JSON text stops being valid JSON (RFC 8259): the offset (UTF-16 units) of the first
 * character that cannot continue it, or the text length when it ends early. Used only to name the
 * offset of a `JSON.parse` failure (V8's "Unexpected token" messages carry no position).
 * Iterative: nesting depth costs no stack.
 */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const n = text.length;
  const ws = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const stack: ('[' | '{')[] = [];
  // expecting: a value; after a value: ',' or a closer; in an object after '{' or ',': a key
  let want: 'value' | 'after' | 'key' | 'firstKey' | 'firstValue' = 'value';
  for (;;) {
    ws();
    if (i >= n) return want === 'after' && stack.length === 0 ? -1 : n;
    const c = text[i]!;
    if (want === 'after') {
      const top = stack[stack.length - 1];
      if (top === undefined) return i; // non-whitespace after the value
      if (c === ',') {
        i++;
        want = top === '{' ? 'key' : 'value';
      } else if ((c === ']' && top === '[') || (c === '}' && top === '{')) {
        i++;
        stack.pop();
      } else return i;
      continue;
    }
    if (want === 'key' || want === 'firstKey') {
      if (c === '}' && want === 'firstKey') {
        i++;
        stack.pop();
        want = 'after';
        continue;
      }
      if (c !== '"') return i;
      const end = scanString(text, i);
      if (end < 0) return -end - 1;
      i = end;
      ws();
      if (i >= n) return n;
      if (text[i] !== ':') return i;
      i++;
      want = 'value';
      continue;
    }
    // a value
    if (c === ']' && want === 'firstValue') {
      i++;
      stack.pop();
      want = 'after';
      continue;
    }
    if (c === '{' || c === '[') {
      stack.push(c);
      i++;
      want = c === '{' ? 'firstKey' : 'firstValue';
      continue;
    }
    let end: number;
    if (c === '"') end = scanString(text, i);
    else if (c === '-' || (c >= '0' && c <= '9')) end = scanNumber(text, i);
    else end = scanLiteral(text, i);
    if (end < 0) return -end - 1;
    i = end;
    want = 'after';
  }
}

/** End of the string starting at `i` (after its closing quote), or −(offset of the fault)−1. */
function scanString(t: string, i: number): number {
  i++;
  while (i < t.length) {
    const c = t.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c < 0x20) return -i - 1;
    if (c === 0x5c) {
      const e = t[i + 1];
      if (e === undefined) return -t.length - 1;
      if (e === 'u') {
        for (let k = 2; k < 6; k++) {
          const h = t[i + k];
          if (h === undefined) return -t.length - 1;
          if (!/[0-9a-fA-F]/.test(h)) return -(i + k) - 1;
        }
        i += 6;
        continue;
      }
      if (!'"\\/bfnrt'.includes(e)) return -(i + 1) - 1;
      i += 2;
      continue;
    }
    i++;
  }
  return -t.length - 1;
}

function scanNumber(t: string, i: number): number {
  const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(t.slice(i, i + 512));
  if (!m || m[0] === '-' || m[0] === '') return -(i + 1) - 1;
  const end = i + m[0].length;
  // a fraction or exponent without digits ("1.", "1.x", "1e+") fails where the digit should be
  if (t[end] === '.' && m[2] === undefined && m[3] === undefined) return -(end + 1) - 1;
  if ((t[end] === 'e' || t[end] === 'E') && m[3] === undefined) {
    const k = t[end + 1] === '+' || t[end + 1] === '-' ? end + 2 : end + 1;
    return -k - 1;
  }
  return end;
}

function scanLiteral(t: string, i: number): number {
  for (const word of ['true', 'false', 'null']) {
    if (word[0] !== t[i]) continue;
    for (let k = 1; k < word.length; k++) {
      if (i + k >= t.length) return -t.length - 1;
      if (t[i + k] !== word[k]) return -(i + k) - 1;
    }
    return i + word.length;
  }
  return -i - 1;
}
