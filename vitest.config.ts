import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const pkg = (name: string) => fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

export default defineConfig({
  // Tests run against the TypeScript sources of every workspace package (no build needed).
  resolve: {
    alias: [
      ...['format', 'rocksdb', 'storage', 'state', 'restore', 'convert', 'ha', 'cli', 'upgrade'].map((name) => ({
        find: new RegExp(`^@ckpt/${name}$`),
        replacement: pkg(name),
      })),
      { find: /^@ckpt\/state\/node$/, replacement: fileURLToPath(new URL('./packages/state/src/node/index.ts', import.meta.url)) },
      // @ckpt/format's package import (`imports` in its package.json maps it to dist/ for Node)
      { find: /^#murmur$/, replacement: fileURLToPath(new URL('./packages/format/src/murmur/node.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['packages/*/test/**/*.test.ts'],
    testTimeout: 120_000,
    // CI also writes a JSON report, from which .ci/run prints its "N passed, N failed" line.
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest/report.json' }]] : ['default'],
  },
});
