import { beforeAll, describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import { allSteps } from '../../core/plan.js';
import { loadConfig } from '../config/load-config.js';
import type { LoadedConfig } from '../config/load-config.js';
import { planFromConfig } from './plan-from-config.js';

let loaded: LoadedConfig;
beforeAll(async () => {
  loaded = await loadConfig(new URL('../../../examples/drover.yaml', import.meta.url).pathname);
});

function withVersions(versions: { talos?: string; kubernetes?: string }): LoadedConfig {
  return { ...loaded, config: { ...loaded.config, versions } };
}

function nodesIn(planNodes: (string | undefined)[]): string[] {
  return [...new Set(planNodes.filter((n): n is string => n !== undefined))].sort();
}

describe('planFromConfig', () => {
  it('plans cattle from versions.talos to the target over all 15 nodes, with the custom gate', () => {
    const { plan, notes } = planFromConfig(loaded, 'cattle', { to: '1.11.0' });
    expect(plan).toMatchObject({
      kind: 'cattle',
      from: '1.10.8',
      to: '1.11.0',
      cluster: 'prox-ops',
    });
    expect(nodesIn(allSteps(plan).map((s) => s.node))).toEqual(
      loaded.inventory.nodes.map((n) => n.name).sort(),
    );
    const gates = allSteps(plan).find((s) => s.action === 'gate-health');
    expect(gates?.params.checks).toContain('custom:flux-ready');
    expect(notes).toEqual([]);
  });

  it('takes --from over the config and notes when the router would choose another kind', () => {
    const { plan, notes } = planFromConfig(loaded, 'pets', { to: '1.11.0', from: 'v1.10.7' });
    expect(plan.from).toBe('1.10.7');
    expect(notes.join()).toMatch(/router would choose cattle/);
  });

  it('plans a multi-hop route in place with --allow-multi-hop (refused without); cattle refuses hops', () => {
    const config = withVersions({ talos: '1.8.3', kubernetes: '1.30.2' });
    expect(() => planFromConfig(config, 'cattle', { to: '1.11.0' })).toThrow(
      expect.objectContaining({
        code: 'FORBIDDEN_HOP',
        hint: expect.stringMatching(/--allow-multi-hop to drover plan/),
      }),
    );
    const { plan } = planFromConfig(config, 'pets', {
      to: '1.11.0',
      allow: { allowMultiHop: true },
    });
    expect(plan.hops).toEqual(['1.10.9', '1.11.0']);
    // Cattle cannot build an intermediate hop's templates: refused, naming what works instead.
    expect(() =>
      planFromConfig(config, 'cattle', { to: '1.11.0', allow: { allowMultiHop: true } }),
    ).toThrow(
      expect.objectContaining({
        code: 'CATTLE_MULTI_HOP',
        category: 'refused',
        hint: expect.stringMatching(
          /drover plan pets --allow-multi-hop.*one cattle upgrade per hop \(--to 1\.10\.9 first, then 1\.11\.0\)/,
        ),
      }),
    );
  });

  it('plans kubernetes from versions.kubernetes, one minor at a time', () => {
    const { plan } = planFromConfig(
      withVersions({ talos: '1.11.0', kubernetes: '1.32.4' }),
      'kubernetes',
      { to: '1.34.1', allow: { allowMultiHop: true } },
    );
    expect(plan.kind).toBe('kubernetes');
    expect(plan.hops).toEqual(['1.33.6', '1.34.1']);
  });

  const refusals: {
    name: string;
    run: () => unknown;
    category: string;
    code: string;
    message?: RegExp;
  }[] = [
    {
      name: 'a bad --to',
      run: () => planFromConfig(loaded, 'cattle', { to: 'latest' }),
      category: 'input',
      code: 'VERSION_INVALID',
      message: /^--to: /,
    },
    {
      name: 'no current version anywhere',
      run: () => planFromConfig(withVersions({}), 'cattle', { to: '1.11.0' }),
      category: 'input',
      code: 'VERSION_MISSING',
      message: /--from/,
    },
    {
      name: 'a downgrade',
      run: () => planFromConfig(loaded, 'cattle', { to: '1.9.0' }),
      category: 'refused',
      code: 'DOWNGRADE',
    },
    {
      name: 'a target line the data does not know',
      run: () => planFromConfig(loaded, 'cattle', { to: '9.0.0' }),
      category: 'refused',
      code: 'UNKNOWN_TARGET_LINE',
    },
    {
      name: 'Kubernetes too old for the target Talos line',
      run: () =>
        planFromConfig(withVersions({ talos: '1.10.8', kubernetes: '1.33.5' }), 'cattle', {
          to: '1.12.0',
          kubernetesFrom: '1.29.0',
        }),
      category: 'refused',
      code: 'K8S_OUT_OF_RANGE',
    },
    {
      name: 'Kubernetes beyond the Talos range',
      run: () => planFromConfig(loaded, 'kubernetes', { to: '1.34.1' }),
      category: 'refused',
      code: 'K8S_OUT_OF_RANGE',
    },
    {
      name: 'kubernetes without versions.talos',
      run: () =>
        planFromConfig(withVersions({ kubernetes: '1.33.1' }), 'kubernetes', { to: '1.33.5' }),
      category: 'input',
      code: 'VERSION_MISSING',
      message: /versions\.talos/,
    },
  ];

  it.each(refusals)('refuses $name', ({ run, category, code, message }) => {
    let error: unknown;
    try {
      run();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DroverError);
    expect(error).toMatchObject({ category, code });
    if (message) expect((error as Error).message).toMatch(message);
  });
});
