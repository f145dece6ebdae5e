// Layering rules (docs/ARCHITECTURE.md §2). Between the project's folders: local/code-layering
// resolves every relative import and checks it against the table in eslint-rules/code-layering.mjs
// (renderer → shared only; the engine never imports app, web, cli or electron; the app never
// imports electron). Packages: shared/ is pure TypeScript; only main/electron and preload import
// electron; the renderer imports no Node module.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import local from './eslint-rules/code-layering.mjs';

const root = path.dirname(fileURLToPath(import.meta.url));

const nodeBuiltins = [
  'fs', 'fs/*', 'path', 'os', 'crypto', 'http', 'https', 'net', 'stream', 'stream/*', 'child_process',
  'worker_threads', 'url', 'util', 'events', 'zlib', 'buffer', 'readline', 'tty', 'dns', 'assert',
  'node:*',
];

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'native/**/build/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    plugins: { local },
    rules: { 'local/code-layering': ['error', { root }] },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'shared/ is pure TypeScript: no Node modules.' },
          { group: ['electron', 'react', 'react-dom'], message: 'shared/ imports nothing from a runtime.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['main/engine/**/*.ts', 'main/sandbox/**/*.ts', 'main/cli/**/*.ts', 'main/web/**/*.ts', 'main/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/electron may import electron.' }] }],
    },
  },
  {
    files: ['renderer/**/*.ts', 'renderer/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'The renderer runs in a browser: no Node modules.' },
          { group: ['electron'], message: 'The renderer talks to main only through window.vod (shared/ipc.ts).' },
        ],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
  },
);
