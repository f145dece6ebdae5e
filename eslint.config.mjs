// Layering rules (docs/ARCHITECTURE.md §2): shared/ is pure TypeScript; the engine never imports
// electron; the renderer imports neither Node nor Electron.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: nodeBuiltins, message: 'shared/ is pure TypeScript: no Node modules.' },
          { group: ['electron', 'react', 'react-dom', '../main/**', '../renderer/**', '../preload/**'], message: 'shared/ imports nothing from a runtime.' },
        ],
      }],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer', 'require'],
    },
  },
  {
    files: ['main/engine/**/*.ts', 'main/sandbox/**/*.ts', 'main/cli/**/*.ts', 'main/web/**/*.ts'],
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
          { group: ['electron', '../../main/**', '../main/**'], message: 'The renderer talks to main only through window.vod (shared/ipc.ts).' },
        ],
      }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { require: 'readonly', module: 'writable', process: 'readonly', __dirname: 'readonly', console: 'readonly' } },
  },
);
