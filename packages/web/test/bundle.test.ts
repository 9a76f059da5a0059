import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { buildPage } from '../build.mjs';

// What the built page holds: its size, what it may load, and what it never bundles.
describe('the built page', () => {
  it('is at most 300 KB of JavaScript gzipped (app and inlined worker), never bundles a cloud SDK, and allows no network', async () => {
    const { html, app, csp, inputs } = await buildPage();
    const gz = gzipSync(app, { level: 9 }).length;
    console.log(`initial JavaScript: ${app.length} bytes, ${gz} gzipped; page ${gzipSync(html, { level: 9 }).length} gzipped`);
    expect(gz).toBeLessThanOrEqual(300_000);
    // the packages it is made of are in it (the check below can fail) …
    for (const p of ['packages/format/src/', 'packages/restore/src/', 'packages/state/src/', 'packages/convert/src/', 'packages/rocksdb/src/']) {
      expect(inputs.some((i) => i.includes(p)), p).toBe(true);
    }
    // … and no storage driver or cloud SDK, nor any Node built-in
    const banned = [/@aws-sdk\//, /@smithy\//, /@azure\//, /@google-cloud\//, /packages\/storage\//, /^node:/, /packages\/state\/src\/node\//];
    expect(inputs.filter((i) => banned.some((b) => b.test(i)))).toEqual([]);
    // (protobufjs carries an unused fetch helper: the CSP leaves it nowhere to go, and the browser test records every request)
    for (const s of ['S3Client', 'GetObjectCommand', 'BlobServiceClient', 'WebHdfs', 'GoogleAuth']) expect(app.includes(s), s).toBe(false);
    // one inline script, by hash; no network source of any kind
    expect(csp).toMatch(/^default-src 'none'; /);
    expect(csp).not.toMatch(/connect-src|https?:|\*/);
    expect(html.match(/<script/g)?.length).toBe(1);
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=/);
  });
});
