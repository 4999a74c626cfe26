/** A canary through the engine: two workers, then the post checks and custom gates over the cluster. */
import { describe, expect, it } from 'vitest';
import { selectPlan } from '../core/selection.js';
import { runUpgrade } from './run-upgrade.js';
import { cordonedNodes, replacedVms, twinRun } from './testing/twin-run.js';
import type { TwinRun } from './testing/twin-run.js';

/** A canary of 2 on the small twin; `flux` is the custom gate, given the twin and the canary. */
async function canaryRun(flux: (t: TwinRun, canary: string[]) => Promise<boolean>) {
  const t = await twinRun({ customChecks: ['flux'] });
  const plan = selectPlan(t.run.plan, t.cluster.inventory, { canary: 2 });
  const canary = plan.phases.flatMap((p) => p.units.flatMap((u) => (u.node ? [u.node] : [])));
  const report = await runUpgrade(
    t.upgrade({
      plan,
      runId: 'canary-1',
      holderIdentity: 'drover/canary-1',
      customChecks: { flux: () => flux(t, canary) },
    }),
  );
  return { t, report, canary };
}

const replaced = (t: TwinRun, node: string) => t.cluster.vmReplacements()[node] ?? 0;

describe('a canary of 2 workers', () => {
  it('replaces only them, then runs the custom gate over the cluster once both are back', async () => {
    const seenAfterCanary: boolean[] = [];
    const { t, report, canary } = await canaryRun(async (twin, [, second]) => {
      const view = await twin.cluster.ports.kubernetes.getNode(second!);
      seenAfterCanary.push(replaced(twin, second!) === 1 && view?.unschedulable !== true);
      return true;
    });
    expect(canary).toHaveLength(2);
    expect(report.outcome).toBe('succeeded');
    expect(t.cluster.violations()).toEqual([]);
    expect(replacedVms(t.cluster)).toEqual(Object.fromEntries(canary.map((n) => [n, 1])));
    expect(await cordonedNodes(t.cluster)).toEqual([]);
    // The pre-drain gates of both ran it before; the verdict runs it with both back.
    expect(seenAfterCanary.at(-1)).toBe(true);
    expect(report.clusterSteps.find((s) => s.id === 'cluster/post-checks')?.outcome).toBe(
      'succeeded',
    );
    expect(report.notes.join('\n')).toMatch(
      new RegExp(`Canary passed: ${canary.join(', ')} upgraded .*custom:flux passed`),
    );
    expect(report.mixedVersions).toMatchObject({ atTarget: canary });
  });

  it('a custom gate that goes false after the canary fails the canary (exit 1), nothing else touched', async () => {
    const { t, report, canary } = await canaryRun(
      async (twin, [, second]) => replaced(twin, second!) === 0,
    );
    expect(report.outcome).toBe('failed');
    expect(report.failure).toMatchObject({
      stepId: 'cluster/post-checks',
      code: 'POST_CHECKS_FAILED',
    });
    expect(replacedVms(t.cluster)).toEqual(Object.fromEntries(canary.map((n) => [n, 1])));
    expect(t.cluster.violations()).toEqual([]);
    expect(report.notes.join('\n')).toMatch(
      new RegExp(`Canary of ${canary.join(', ')} did not pass`),
    );
  });
});
