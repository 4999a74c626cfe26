/**
 * Where `drover init` finds the files it writes: the `deploy/` and `schema/` folders of the
 * Drover package. They are read at run time, found by walking up from this module, which works
 * from the sources (src/cli/init), the bundle (dist/ or dist/chunks/) and an installed package
 * (node_modules/drover/dist/...), as long as the package ships deploy/ and schema/.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DroverError } from '../../core/errors.js';

const MARKER = join('deploy', 'workflows', 'drover-upgrade.yaml');

export function locatePackageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    if (existsSync(join(dir, MARKER)) && existsSync(join(dir, 'schema', 'drover.schema.json')))
      return dir;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new DroverError(
    'failed',
    'INIT_ASSETS_MISSING',
    `cannot find Drover's deploy/ files above ${dirname(from)}`,
    {
      hint: 'Run drover from its package or repository checkout (deploy/ and schema/ must ship beside dist/).',
    },
  );
}
