import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/load-config.js';
import { ACTION_PLACEHOLDER, INIT_FILES } from './init-files.js';
import { locatePackageRoot } from './locate-assets.js';
import { initRepository, initSummary } from './run-init.js';

const fresh = () => mkdtemp(join(tmpdir(), 'drover-init-'));

describe('drover init', () => {
  it('finds the package root from the sources', () => {
    expect(locatePackageRoot()).toBe(
      new URL('../../../', import.meta.url).pathname.replace(/\/$/, ''),
    );
  });

  it('writes the config, the schema, the workflows and the runner files, scripts executable', async () => {
    const dir = await fresh();
    const result = await initRepository(dir);
    expect(result.skipped).toEqual([]);
    expect(result.written).toEqual(INIT_FILES.map((f) => f.to));
    expect(result.written).toEqual(
      expect.arrayContaining([
        'drover.yaml',
        '.github/workflows/talos-version-router.yaml',
        '.github/workflows/upgrade-cattle.yaml',
        '.github/workflows/upgrade-pets.yaml',
        '.github/workflows/upgrade-kubernetes.yaml',
        'deploy/runner/Dockerfile',
        'deploy/runner/compose.yaml',
        'deploy/runner/provision-vm.sh',
      ]),
    );
    expect((await stat(join(dir, 'deploy/runner/provision-vm.sh'))).mode & 0o777).toBe(0o755);
    expect((await stat(join(dir, 'deploy/runner/compose.yaml'))).mode & 0o777).toBe(0o644);
    const root = locatePackageRoot();
    expect(await readFile(join(dir, '.github/workflows/upgrade-pets.yaml'), 'utf8')).toBe(
      await readFile(join(root, 'deploy/workflows/upgrade-pets.yaml'), 'utf8'),
    );
  });

  it('writes a starter config that loads, with its schema beside it', async () => {
    const dir = await fresh();
    await initRepository(dir);
    const text = await readFile(join(dir, 'drover.yaml'), 'utf8');
    const schemaRef = /\$schema=(\S+)/.exec(text)?.[1];
    expect(schemaRef).toBe('.drover/drover.schema.json');
    await stat(join(dir, schemaRef!));
    const loaded = await loadConfig(join(dir, 'drover.yaml'));
    expect(loaded.inventory.nodes.length).toBeGreaterThan(0);
  });

  it('keeps existing files and lists them, unless --force', async () => {
    const dir = await fresh();
    await initRepository(dir);
    await writeFile(join(dir, 'drover.yaml'), 'cluster: mine\n');
    const again = await initRepository(dir);
    expect(again.written).toEqual([]);
    expect(again.skipped).toHaveLength(INIT_FILES.length);
    expect(await readFile(join(dir, 'drover.yaml'), 'utf8')).toBe('cluster: mine\n');
    expect(initSummary(again, {})).toMatch(/skipped +drover\.yaml \(exists; --force overwrites\)/);

    const forced = await initRepository(dir, { force: true });
    expect(forced.written).toHaveLength(INIT_FILES.length);
    expect(await readFile(join(dir, 'drover.yaml'), 'utf8')).toMatch(/^# yaml-language-server/);
  });

  it('sets the route action with --action, and rejects a malformed reference', async () => {
    const dir = await fresh();
    await initRepository(dir, { action: 'acme/drover@v1.2.0' });
    const router = await readFile(join(dir, '.github/workflows/talos-version-router.yaml'), 'utf8');
    expect(router).toContain('uses: acme/drover@v1.2.0');
    expect(router).not.toContain(ACTION_PLACEHOLDER);
    await expect(initRepository(await fresh(), { action: 'not a ref' })).rejects.toMatchObject({
      category: 'usage',
      code: 'ACTION_REF_INVALID',
    });
  });

  it('refuses a target that is a file', async () => {
    const dir = await fresh();
    await writeFile(join(dir, 'file'), 'x');
    await expect(initRepository(join(dir, 'file'))).rejects.toMatchObject({
      code: 'INIT_NOT_A_DIRECTORY',
    });
  });

  it('prints next steps naming the placeholder when no action is given', async () => {
    const result = await initRepository(await fresh());
    const text = initSummary(result, {});
    expect(text).toMatch(/Next steps:/);
    expect(text).toContain(ACTION_PLACEHOLDER);
    expect(text).toMatch(/deploy\/runner\/README\.md/);
  });
});
