// The layering lint resolves paths (eslint-rules/code-layering.mjs): these lint real
// source text through the repository's own ESLint configuration, as `npm run lint` does.
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'local/code-layering').map((m) => m.message);
}

describe('code layering (resolved paths)', () => {
  it.each([
    ['main/engine/library/x.ts', "import { x } from '../../app/controller';", 'main/app'],
    ['main/engine/x.ts', "export { x } from '../cli/index';", 'main/cli'],
    ['main/engine/x.ts', "const m = import('../web/server');", 'main/web'],
    ['main/engine/deep/er/x.ts', "import type { T } from '../../../electron/shell';", 'main/electron'],
    ['main/app/x.ts', "import { y } from '../electron/shell';", 'main/electron'],
    ['renderer/src/components/x.tsx', "import { z } from '../../../main/engine/errors';", 'main/engine'],
    ['shared/x.ts', "import { z } from '../renderer/src/store/app';", 'renderer'],
    ['main/sandbox/x.ts', "const a = require('../app/profiles');", 'main/app'],
  ])('%s: %s is refused', async (file, code, layer) => {
    const errors = await layeringErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain(`may not import ${layer}`);
  });

  it.each([
    ['main/engine/library/x.ts', "import { x } from '../../../shared/library';"],
    ['main/engine/x.ts', "import { y } from './vod/vod-client';"],
    ['main/app/x.ts', "import { y } from '../engine/service';"],
    ['main/electron/x.ts', "import { y } from '../app/controller';"],
    ['renderer/src/x.ts', "import { y } from '../../shared/ipc';"],
    ['test/unit/x.test.ts', "import { y } from '../../main/app/controller';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });

  it('a path that only looks like another layer is judged by where it resolves', async () => {
    // '../engine-helpers' is not main/engine; './app' inside main/engine is main/engine/app.
    expect(await layeringErrors('main/engine/x.ts', "import { y } from './app/thing';")).toEqual([]);
    expect(await layeringErrors('main/engine/sub/x.ts', "import { y } from '../../app/thing';")).toHaveLength(1);
  });
});
