/**
 * The layer rule of eslint.config.js, checked on the files it would judge: core <- ports <-
 * engine <- adapters <- app <- cli / action, with cli and action meeting only in app.
 */
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

/** The layer-rule messages eslint gives `file` for one import of `from`. */
async function layerErrors(file: string, from: string): Promise<string[]> {
  const code = `import { x } from '${from}';\nexport const y = x;\n`;
  const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layer rule', () => {
  it.each([
    ['src/app/upgrade/x.ts', '../../cli/run/report-failure.js'],
    ['src/app/route/x.ts', '../../action/run-action.js'],
    ['src/action/x.ts', '../cli/route/route-command.js'],
    ['src/cli/route/x.ts', '../../action/run-action.js'],
    ['src/adapters/git/x.ts', '../../app/config/load-config.js'],
    ['src/engine/x.ts', '../app/plan/plan-upgrade.js'],
  ])('refuses %s importing %s', async (file, from) => {
    expect(await layerErrors(file, from)).toEqual([expect.stringMatching(/^.*Layer rule: src\//)]);
  });

  it.each([
    ['src/cli/route/x.ts', '../../app/route/run-route.js'],
    ['src/action/x.ts', '../app/route/run-route.js'],
    ['src/app/upgrade/x.ts', '../../adapters/git/git.js'],
    ['src/app/upgrade/x.ts', '../plan/plan-upgrade.js'],
  ])('lets %s import %s', async (file, from) => {
    expect(await layerErrors(file, from)).toEqual([]);
  });
});
