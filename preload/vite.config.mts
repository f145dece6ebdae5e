// Bundles the preload into one CommonJS file, out/preload/preload.js. A sandboxed
// preload can require only 'electron' (and a few polyfilled modules), not local files.
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

export default defineConfig({
  build: {
    outDir: resolve(import.meta.dirname, '../out/preload'),
    emptyOutDir: true,
    target: 'chrome140',
    minify: false,
    sourcemap: false,
    lib: {
      entry: resolve(import.meta.dirname, 'preload.ts'),
      formats: ['cjs'],
      fileName: () => 'preload.js',
    },
    rollupOptions: {
      external: ['electron'],
    },
  },
});
