import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset } from '../src/json-offset.js';
import { fromJson, FormatError, jsonSyntaxOffset, toJson, decodeMetadata } from '../src/index.js';
import { robustSuite } from '../../../fuzz/src/robust-suite.js';
import { metadataFiles } from '../../../fuzz/src/seeds.js';
import { readFileSync } from 'node:fs';

// stored crashers, a truncation-sweep sample, mutation and hostile-length properties (see fuzz/README.md)
robustSuite(['metadata', 'trailer']);

describe('fromJson refusals name where they are', () => {
  it('a JSON syntax error carries the offset JSON.parse reported, truncation the end', () => {
    const err = (text: string) => {
      try {
        fromJson(text);
      } catch (e) {
        expect(e).toBeInstanceOf(FormatError);
        return e as FormatError;
      }
      throw new Error('decoded');
    };
    expect(err('{"a": x}').offset).toBe(6);
    expect(err('{"version": 3,').offset).toBe(14);
    expect(jsonSyntaxOffset('{', new SyntaxError('Unexpected end of JSON input'))).toBe(1);
  });

  it('base64 that atob refuses (length 1 mod 4) is an InvalidModel at its path, not a DOMException', () => {
    const meta = decodeMetadata(new Uint8Array(readFileSync(metadataFiles()[0]!)));
    const json = toJson(meta) as { properties?: { raw: string } };
    expect(json.properties).toBeDefined();
    json.properties!.raw = 'AAAAA';
    let caught: unknown;
    try {
      fromJson(json as never);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(FormatError);
    expect((caught as FormatError).code).toBe('InvalidModel');
    expect((caught as FormatError).path).toBe('properties.raw');
  });
});

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse: -1 for valid JSON, V8\'s position where V8 names one', () => {
    const mutated = fc
      .tuple(fc.jsonValue(), fc.nat(), fc.nat(), fc.constantFrom('', '}', ']', ',', ':', '"', '\\', 'x', '0', '-', '.', 'e', ' '))
      .map(([v, cut, at, ins]) => {
        const t = JSON.stringify(v, null, at % 3);
        const p = at % (t.length + 1);
        return (t.slice(0, p) + ins + t.slice(p)).slice(0, t.length + 1 - (cut % 3));
      });
    fc.assert(
      fc.property(mutated, (text) => {
        let pos: number | null = -1;
        try {
          JSON.parse(text);
        } catch (e) {
          const m = /position (\d+)/.exec((e as Error).message);
          pos = m ? Number(m[1]) : /end of JSON input/.test((e as Error).message) ? text.length : null;
        }
        if (pos !== null) expect(jsonErrorOffset(text)).toBe(pos);
        else expect(jsonErrorOffset(text)).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 3000 },
    );
  });
});
