import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingDependencyError, optionalPackageFor } from '@ckpt/storage';
import { describe, expect, it } from 'vitest';
import { withResolveHook } from '../../storage/test/node-hook.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

const SDKS = [
  ['s3://bucket/savepoints/sp-1', '@aws-sdk/client-s3'],
  ['s3a://bucket/savepoints/sp-1', '@aws-sdk/client-s3'],
  ['gs://bucket/savepoints/sp-1', '@google-cloud/storage'],
  ['abfss://container@account.dfs.core.windows.net/savepoints/sp-1', '@azure/storage-blob'],
  ['wasb://container@account.blob.core.windows.net/savepoints/sp-1', '@azure/storage-blob'],
] as const;

describe('a storage scheme whose optional SDK is not installed', () => {
  it('the error names the package and the command that adds it', () => {
    for (const [uri, pkg] of SDKS) {
      const scheme = uri.slice(0, uri.indexOf(':'));
      expect(optionalPackageFor(scheme)).toBe(pkg);
      const notFound = Object.assign(new Error(`Cannot find package '${pkg}' imported from /x/dist/drivers/s3.js`), { code: 'ERR_MODULE_NOT_FOUND' });
      const e = missingDependencyError(scheme, notFound)!;
      expect(e.code).toBe('MissingDependency');
      expect(e.message).toContain(`pnpm add ${pkg}`);
      expect(e.message).toContain(`npm install ${pkg}`);
      // any other failure while loading is not a missing SDK
      expect(missingDependencyError(scheme, Object.assign(new Error('Cannot find package \'tslib\''), { code: 'ERR_MODULE_NOT_FOUND' }))).toBeUndefined();
      expect(missingDependencyError(scheme, new Error(pkg))).toBeUndefined();
    }
    expect(optionalPackageFor('hdfs')).toBeUndefined();
    expect(optionalPackageFor('file')).toBeUndefined();
  });

  it('ckpt inspect says which package to add, in the message and the hint (SDKs hidden from Node)', () => {
    // a resolve hook makes every SDK import fail as it does when the package is not installed
    const hideSdks = "return n(/^(@aws-sdk\\/client-s3|@google-cloud\\/storage|@azure\\/storage-blob)$/.test(s) ? s + '-absent' : s, c);";
    const script = `import { run } from ${JSON.stringify(join(root, 'packages/cli/src/index.ts'))};
for (const uri of ${JSON.stringify(SDKS.map(([u]) => u))}) {
  const err = [];
  const code = await run(['inspect', uri], { out: () => {}, err: (s) => err.push(s) });
  console.log(JSON.stringify({ uri, code, err }));
}`;
    const stdout = withResolveHook(hideSdks, script, { cwd: join(root, 'packages/cli'), conditions: ['source'] }, (run) => run());
    const results = stdout.trim().split('\n').map((l) => JSON.parse(l) as { uri: string; code: number; err: string[] });
    expect(results).toHaveLength(SDKS.length);
    for (const [i, [uri, pkg]] of SDKS.entries()) {
      const r = results[i]!;
      expect(r.uri).toBe(uri);
      expect(r.code).toBe(1);
      const [message, hint] = r.err;
      expect(message).toContain('MissingDependency');
      expect(message).toContain(`optional package ${pkg}, which is not installed`);
      expect(message).toContain(`pnpm add ${pkg}`);
      expect(hint).toContain(`hint: install ${pkg}`);
      expect(hint).toContain(`npm install ${pkg}`);
    }
  });
});
