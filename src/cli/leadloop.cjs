#!/usr/bin/env node
// The `bin` of package.json: runs the TypeScript CLI (src/cli/index.ts) through tsx's require hook.
require('tsx/cjs');
require('./index.ts');
