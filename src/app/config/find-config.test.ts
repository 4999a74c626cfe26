import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import { findConfig } from './find-config.js';

const files =
  (...present: string[]) =>
  (path: string) =>
    present.includes(path);

describe('findConfig: --config, then DROVER_CONFIG, then ./drover.yaml', () => {
  it('takes --config over DROVER_CONFIG and ./drover.yaml', () => {
    const exists = files('/repo/drover.yaml', 'env.yaml', 'flag.yaml');
    expect(
      findConfig({ flag: 'flag.yaml', env: 'env.yaml', cwd: '/repo', exists, required: true }),
    ).toEqual({ file: 'flag.yaml', source: 'flag' });
  });

  it('takes DROVER_CONFIG over ./drover.yaml', () => {
    const exists = files('/repo/drover.yaml', 'env.yaml');
    expect(findConfig({ env: 'env.yaml', cwd: '/repo', exists, required: true })).toEqual({
      file: 'env.yaml',
      source: 'env',
    });
  });

  it('falls back to ./drover.yaml', () => {
    expect(
      findConfig({ cwd: '/repo', exists: files('/repo/drover.yaml'), required: true }),
    ).toEqual({ file: '/repo/drover.yaml', source: 'cwd' });
  });

  it('stops, naming the variable, when DROVER_CONFIG names a missing file (no fallback)', () => {
    const run = () =>
      findConfig({
        env: 'gone.yaml',
        cwd: '/repo',
        exists: files('/repo/drover.yaml'),
        required: false,
      });
    expect(run).toThrow(DroverError);
    expect(run).toThrow(/DROVER_CONFIG names gone\.yaml, which does not exist/);
    expect(run).toThrow(expect.objectContaining({ category: 'input', code: 'CONFIG_NOT_FOUND' }));
  });

  it('leaves a missing --config file to the loader (it names the file)', () => {
    expect(findConfig({ flag: 'x.yaml', cwd: '/repo', exists: files(), required: true })).toEqual({
      file: 'x.yaml',
      source: 'flag',
    });
  });

  it('without any: a usage error when required, nothing when optional', () => {
    expect(() => findConfig({ cwd: '/repo', exists: files(), required: true })).toThrow(
      expect.objectContaining({ category: 'usage', code: 'CONFIG_MISSING' }),
    );
    expect(findConfig({ cwd: '/repo', exists: files(), required: false })).toBeUndefined();
  });
});
