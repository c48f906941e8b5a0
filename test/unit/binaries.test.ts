import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BinaryNotFoundError, PROJECT_ROOT, resolveTemporalBinary } from '../../src/temporal/binaries';

describe('resolveTemporalBinary', () => {
  const dir = mkdtempSync(join(tmpdir(), 'leadloop-bin-'));
  const fake = join(dir, 'temporal');
  writeFileSync(fake, '#!/bin/sh\n');
  chmodSync(fake, 0o755);

  it('prefers the environment override', () => {
    expect(resolveTemporalBinary('cli', { TEMPORAL_CLI_PATH: fake, PATH: '' })).toBe(fake);
  });

  it('uses the project .tools install before PATH', () => {
    // `npm test` runs setup first, so the .tools install exists here.
    expect(resolveTemporalBinary('test-server', { PATH: dir })).toBe(join(PROJECT_ROOT, '.tools', 'bin', 'temporal-test-server'));
  });

  it('falls through a broken override to the next place', () => {
    const notExecutable = join(dir, 'not-executable');
    writeFileSync(notExecutable, '');
    expect(resolveTemporalBinary('cli', { TEMPORAL_CLI_PATH: notExecutable, PATH: '' })).toBe(join(PROJECT_ROOT, '.tools', 'bin', 'temporal'));
  });

  it('finds the binary on PATH when there is no .tools install', () => {
    expect(resolveTemporalBinary('cli', { PATH: `/nonexistent:${dir}` }, { projectRoot: dir, sdkCacheDirs: [] })).toBe(fake);
  });

  it('fails with the list of places tried when nothing is found', () => {
    const error = (() => {
      try {
        resolveTemporalBinary('cli', { TEMPORAL_CLI_PATH: join(dir, 'missing'), PATH: '/nonexistent' }, { projectRoot: dir, sdkCacheDirs: [] });
      } catch (err) {
        return err as Error;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(BinaryNotFoundError);
    expect(error!.message).toContain(`TEMPORAL_CLI_PATH=${join(dir, 'missing')} (not an executable file)`);
    expect(error!.message).toContain(join(dir, '.tools', 'bin', 'temporal'));
    expect(error!.message).toContain("Run 'npm run setup'");
  });
});
