/** action.yml stays in step with the CLI: an input per flag, an output per JSON field. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { registerRoute } from '../../src/cli/commands/route.js';
import { addSelectionOptions } from '../../src/cli/commands/selection-options.js';
import { toRouteDocument } from '../../src/app/route/route-document.js';
import { decideRoute } from '../../src/core/route.js';
import { versionOf } from '../../src/core/version.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const action = parse(readFileSync(join(root, 'action.yml'), 'utf8')) as {
  runs: { using: string; main: string };
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { description: string }>;
};

describe('action.yml', () => {
  it('runs dist/action.js on the current node runtime', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action.js' });
  });

  it('has an input for every route flag except --json, with the same defaults', () => {
    const program = new Command();
    registerRoute(program);
    const route = program.commands.find((c) => c.name() === 'route')!;
    const flags = route.options.map((o) => o.long!.replace(/^--/, '')).filter((f) => f !== 'json');
    // Plus the node selection of `drover upgrade`, handed on as selection_args.
    const selection = addSelectionOptions(new Command('upgrade')).options.map((o) =>
      o.long!.replace(/^--/, ''),
    );
    expect(Object.keys(action.inputs).sort()).toEqual([...flags, ...selection].sort());
    for (const name of selection) expect([name, action.inputs[name]?.default]).toEqual([name, '']);
    for (const option of route.options) {
      const name = option.long!.replace(/^--/, '');
      if (name === 'json') continue;
      const expected = option.defaultValue === undefined ? undefined : String(option.defaultValue);
      const actual = action.inputs[name]?.default;
      expect([name, actual === '' || actual === 'false' ? undefined : actual]).toEqual([
        name,
        expected,
      ]);
    }
  });

  it('has an output for every field of the JSON document, plus json', () => {
    const document = toRouteDocument({
      decision: decideRoute({
        oldTalos: versionOf('1.10.8'),
        newTalos: versionOf('1.10.9'),
        oldKubernetes: null,
        newKubernetes: null,
      }),
      warnings: [],
      base: { revision: 'HEAD^', commit: 'a', source: 'parent' },
      head: { revision: 'HEAD', commit: 'b' },
      file: 'terraform/variables.tf',
    });
    expect(Object.keys(action.outputs).sort()).toEqual(
      [...Object.keys(document), 'json', 'selection', 'selection_args'].sort(),
    );
  });
});
