import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { missingOptionals } = require('../../scripts/check-lockfile.cjs') as {
  missingOptionals: (lock: unknown) => string[];
};

const lockfile = () => JSON.parse(readFileSync(join(__dirname, '..', '..', 'package-lock.json'), 'utf8'));

describe('package-lock.json', () => {
  it('records every optional (per-platform) package, so npm ci works on every platform', () => {
    expect(missingOptionals(lockfile())).toEqual([]);
  });

  it('notices a platform package that is missing', () => {
    const lock = lockfile();
    delete lock.packages['node_modules/@swc/core-darwin-arm64'];
    expect(missingOptionals(lock)).toEqual(['node_modules/@swc/core -> @swc/core-darwin-arm64']);
  });

  it('finds an optional package installed nested under its dependant', () => {
    const lock = {
      packages: {
        '': {},
        'node_modules/a': { optionalDependencies: { b: '1' } },
        'node_modules/a/node_modules/b': {},
        'node_modules/c': { optionalDependencies: { d: '1' } },
      },
    };
    expect(missingOptionals(lock)).toEqual(['node_modules/c -> d']);
  });
});
