#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is compiled TypeScript (npm run build).
require('../out/main/cli/index.js').main(process.argv).catch((err) => {
  process.stderr.write(`vodup: ${err && err.message ? err.message : String(err)}\n`);
  process.exit(2);
});
