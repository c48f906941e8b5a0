#!/usr/bin/env node
// Fails fast when package-lock.json lacks a platform's optional package (e.g. @swc/core-darwin-arm64):
// npm then rewrites the lockfile on install and `npm ci` on another platform cannot trust it.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

/** Where Node would find `name` from the package at lockfile path `from` (nested node_modules first). */
function resolves(packages, from, name) {
  let base = from;
  for (;;) {
    if (packages[`${base ? `${base}/` : ''}node_modules/${name}`]) return true;
    const cut = base.lastIndexOf('node_modules/');
    if (cut < 0) return false;
    base = base.slice(0, cut).replace(/\/$/, '');
  }
}

/** Every optional dependency that the lockfile names but does not record, as "pkg -> dep". */
function missingOptionals(lock) {
  const packages = lock.packages ?? {};
  const missing = [];
  for (const [at, entry] of Object.entries(packages)) {
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      if (!resolves(packages, at, dep)) missing.push(`${at || '(root)'} -> ${dep}`);
    }
  }
  return missing;
}

module.exports = { missingOptionals };

if (require.main === module) {
  const file = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'package-lock.json'));
  const missing = missingOptionals(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (missing.length > 0) {
    console.error(
      `${path.basename(file)} is incomplete: ${missing.length} optional package(s) of other platforms are not recorded:\n` +
        missing.map((m) => `  ${m}`).join('\n') +
        '\nRegenerate it with `npm install` on a clean checkout (npm 11 records every platform) and commit it.',
    );
    process.exit(1);
  }
  console.log(`${path.basename(file)}: every optional dependency is recorded`);
}
