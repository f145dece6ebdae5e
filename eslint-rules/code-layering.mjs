// The layering rule (docs/ARCHITECTURE.md §2), checked on resolved paths: every relative
// import, re-export, dynamic import() and require() is resolved against the importing
// file and must land in a layer that the file's own layer may use. Written here rather
// than taken from eslint-plugin-import (`no-restricted-paths`) because it is one small
// table, needs no resolver configuration, and reads like vscode's own code-layering rule
// (build/lib/eslint-plugin-local/code-layering.ts), which it follows: layers are folders,
// each with the list of folders it may import.
import path from 'node:path';

/** Folder → the folders its files may import (itself included). Longest prefix wins. */
export const LAYERS = {
  'shared': ['shared'],
  'renderer': ['renderer', 'shared'],
  'preload': ['preload', 'shared'],
  'main/engine': ['main/engine', 'shared'],
  // The sandbox reuses the engine's pure helpers (CRC-64, the playlist parser).
  'main/sandbox': ['main/sandbox', 'main/engine', 'shared'],
  'main/app': ['main/app', 'main/engine', 'main/sandbox', 'shared'],
  'main/web': ['main/web', 'main/app', 'main/engine', 'shared'],
  'main/electron': ['main/electron', 'main/app', 'main/engine', 'main/web', 'shared'],
  'main/cli': ['main/cli', 'main/app', 'main/engine', 'main/sandbox', 'main/web', 'shared'],
};

const layerNames = Object.keys(LAYERS).sort((a, b) => b.length - a.length);

/** The layer a repository-relative path belongs to, or undefined (tests, bench, scripts…). */
export function layerOf(relPath) {
  const p = relPath.split(path.sep).join('/');
  return layerNames.find((l) => p === l || p.startsWith(`${l}/`));
}

/** @type {import('eslint').Rule.RuleModule} */
export const codeLayering = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports must respect the layers of docs/ARCHITECTURE.md §2' },
    schema: [{ type: 'object', properties: { root: { type: 'string' } }, additionalProperties: false }],
    messages: {
      forbidden: "{{from}} may not import {{to}} ('{{spec}}'): {{from}} may use only {{allowed}} (docs/ARCHITECTURE.md §2).",
    },
  },
  create(context) {
    const root = context.options[0]?.root ?? context.cwd;
    const file = context.filename;
    const from = layerOf(path.relative(root, file));
    if (!from) return {};
    const allowed = LAYERS[from];
    const check = (node, source) => {
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      if (!spec.startsWith('.')) return; // packages are the other rules' business
      const target = path.relative(root, path.resolve(path.dirname(file), spec));
      const to = layerOf(target);
      if (to === undefined) {
        // Outside every layer (or outside the repository): only as forbidden as it is foreign.
        if (target.startsWith('..') || path.isAbsolute(target)) {
          context.report({ node: source, messageId: 'forbidden', data: { from, to: target, spec, allowed: allowed.join(', ') } });
        }
        return;
      }
      if (!allowed.includes(to)) {
        context.report({ node: source, messageId: 'forbidden', data: { from, to, spec, allowed: allowed.join(', ') } });
      }
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source),
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal : node.argument),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments.length === 1) check(node, node.arguments[0]);
      },
    };
  },
};

export default { rules: { 'code-layering': codeLayering } };
