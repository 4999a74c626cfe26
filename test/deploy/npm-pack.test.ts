/**
 * The package as npm ships it: `npm pack` of this repository, installed from the tarball into
 * an empty directory with npm offline (dist/ bundles every runtime dependency, so there is
 * nothing to fetch), then `drover --version` and `drover init` from the installed copy.
 * dist/ is built into the staging copy, never into the shared dist/ other runs use.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  version: string;
  files: string[];
  dependencies?: Record<string, string>;
};
// npm run exports npm_config_* settings of the outer npm; the inner npm must not inherit them.
const cleanEnv = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')),
);
const npm = (cwd: string, ...args: string[]) =>
  spawnSync('npm', args, { cwd, encoding: 'utf8', env: cleanEnv, timeout: 120_000 });

describe('npm pack of this repository', () => {
  let work: string;
  let tarball: string;
  let app: string;
  let install: ReturnType<typeof npm>;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'drover-pack-'));
    const staging = join(work, 'staging');
    mkdirSync(staging);
    for (const entry of ['package.json', ...pkg.files.filter((f) => f !== 'dist')])
      cpSync(join(root, entry), join(staging, entry), { recursive: true });
    const build = spawnSync(process.execPath, ['scripts/build.mjs'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, DROVER_BUILD_OUTDIR: join(staging, 'dist') },
    });
    if (build.status !== 0) throw new Error(`build failed: ${build.stderr}`);
    const pack = npm(staging, 'pack', '--pack-destination', work, '--silent');
    if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
    tarball = join(
      work,
      readdirSync(work).find((f) => f.endsWith('.tgz'))!,
    );
    app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(
      join(app, 'package.json'),
      '{ "name": "empty", "version": "1.0.0", "private": true }\n',
    );
    install = npm(
      app,
      'install',
      '--offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      tarball,
    );
  }, 240_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('declares no runtime dependencies: the bundle carries them', () => {
    expect(pkg.dependencies ?? {}).toEqual({});
  });

  it('installs offline into an empty directory and runs drover --version', () => {
    expect(install.stderr).not.toMatch(/ERR!|npm error/);
    expect(install.status).toBe(0);
    const version = spawnSync(join(app, 'node_modules/.bin/drover'), ['--version'], {
      cwd: app,
      encoding: 'utf8',
    });
    expect(version.stderr).toBe('');
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it('the installed copy runs init with every file it writes', () => {
    const repo = join(work, 'infra');
    mkdirSync(join(repo, 'terraform'), { recursive: true });
    expect(spawnSync('git', ['init', '-q', repo]).status).toBe(0);
    writeFileSync(
      join(repo, 'terraform/variables.tf'),
      'variable "talos_version" {\n  default = "1.10.8"\n}\n',
    );
    const init = spawnSync(
      join(app, 'node_modules/.bin/drover'),
      ['init', repo, '--action', 'acme/drover'],
      {
        encoding: 'utf8',
      },
    );
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    expect(init.stdout).toMatch(/wrote +deploy\/runner\/\.gitignore/);
    expect(
      readFileSync(join(repo, '.github/workflows/talos-version-router.yaml'), 'utf8'),
    ).toContain(`uses: acme/drover@v${pkg.version}`);
  });
});
