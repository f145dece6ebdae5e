// The checkout the soak runs in, found from this file whether it runs compiled
// (out/bench/soak, `npm run soak`) or from source (bench/soak, the vitest short soak).

import fs from 'fs';
import path from 'path';

function findRepo(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'bin', 'vodup.js'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No checkout with bin/vodup.js above ${from}.`);
  }
}

export const REPO = findRepo(__dirname);
export const VODUP = path.join(REPO, 'bin', 'vodup.js');
