import { afterEach, describe, expect, it } from 'vitest';
import { impatientClock, startWorld, validate } from './harness.js';
import type { World } from './harness.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

interface Result {
  ok: boolean;
  problems: string[];
  nodes: unknown[];
  expected: { talos: string; kubernetes: string | null; nodes: number };
}

describe('drover validate against the fake API server', () => {
  it('passes the reference cluster as the config describes it (exit 0)', async () => {
    world = await startWorld();
    const run = await validate({ config: world.config, kubeconfig: world.kubeconfig, json: true });
    expect(run.stderr).toContain('validates');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as Result;
    expect(result).toMatchObject({
      ok: true,
      problems: [],
      expected: { talos: '1.10.8', kubernetes: '1.33.5', nodes: 15 },
    });
    expect(result.nodes).toHaveLength(15);
  });

  it('warns on stderr about a setting another caps, naming both fields; stdout stays one document', async () => {
    world = await startWorld((t) =>
      t.replace('maxUnavailableWorkers: 3', 'maxUnavailableWorkers: 1'),
    );
    const run = await validate({ config: world.config, kubeconfig: world.kubeconfig, json: true });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'warning: policy.disruption.petsBatchSize (3) is capped by policy.disruption.maxUnavailableWorkers (1)',
    );
    expect((JSON.parse(run.stdout) as Result).ok).toBe(true);
  });

  it.each([
    [
      'a cordoned node',
      (w: World) =>
        w.cluster.store.mutate('nodes', undefined, 'k8s-work-3', (n) => {
          (n.spec as { unschedulable?: boolean }).unschedulable = true;
        }),
      'k8s-work-3 cordoned',
    ],
    [
      'a node at the wrong Talos version',
      (w: World) =>
        w.cluster.store.mutate('nodes', undefined, 'k8s-ctrl-2', (n) => {
          (n.status as { nodeInfo: { osImage: string } }).nodeInfo.osImage = 'Talos (v1.10.7)';
        }),
      'k8s-ctrl-2 runs Talos 1.10.7, expected 1.10.8',
    ],
    [
      'a missing node',
      (w: World) => w.cluster.store.delete('nodes', undefined, 'k8s-work-12'),
      'k8s-work-12 missing',
    ],
  ])('fails with %s (exit 1) and says why', async (_case, edit, reason) => {
    world = await startWorld();
    edit(world);
    const run = await validate({ config: world.config, kubeconfig: world.kubeconfig, json: true });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('does NOT validate');
    expect(run.stderr).toContain(reason);
    expect((JSON.parse(run.stdout) as Result).problems.join('; ')).toContain(reason);
  });

  it('checks the versions given on the command line instead of the config', async () => {
    world = await startWorld();
    const run = await validate({
      config: world.config,
      kubeconfig: world.kubeconfig,
      talos: '1.11.0',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('expected 1.11.0');
  });

  it('an unreachable API server is a failed validation, never a pass', async () => {
    world = await startWorld();
    await world.server.close();
    const run = await validate(
      { config: world.config, kubeconfig: world.kubeconfig },
      {},
      impatientClock,
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('node list unreadable');
  });

  it.each([
    ['a missing config', { config: '/nonexistent/drover.yaml' }, 'CONFIG_NOT_FOUND'],
    ['a bad version', { talos: '1.x' }, 'VERSION_INVALID'],
  ])('bad input: %s (exit 2)', async (_case, options, code) => {
    world = await startWorld();
    const run = await validate({ config: world.config, kubeconfig: world.kubeconfig, ...options });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(code);
  });
});
