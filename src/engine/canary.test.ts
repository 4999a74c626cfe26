/** A canary through the engine: two workers, then the post checks and custom gates over the cluster. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../core/durations.js';
import { buildPlan } from '../core/plan-build.js';
import { Redactor } from '../core/redact.js';
import { selectPlan } from '../core/selection.js';
import { runUpgrade } from './run-upgrade.js';
import { FakeCluster, FROM, TO } from './testing/fake-cluster.js';

function canaryRun(c: FakeCluster, flux: () => Promise<boolean>) {
  const full = buildPlan('cattle', {
    inventory: c.inventory,
    policy: c.policy,
    from: FROM,
    to: TO,
    customChecks: ['flux'],
  });
  return runUpgrade({
    plan: selectPlan(full, c.inventory, { canary: 2 }),
    inventory: c.inventory,
    ports: c.ports(),
    durations: DEFAULT_STEP_DURATIONS,
    runId: 'canary-1',
    holderIdentity: 'drover/canary-1',
    resume: false,
    redactor: new Redactor(),
    customChecks: { flux },
  });
}

describe('a canary of 2 workers', () => {
  it('replaces only them, then runs the custom gate over the cluster once both are back', async () => {
    const c = new FakeCluster();
    const seenAfterCanary: boolean[] = [];
    const report = await canaryRun(c, async () => {
      seenAfterCanary.push((c.replacements['w-2'] ?? 0) === 1 && !c.cordoned.has('w-2'));
      return true;
    });
    expect(report.outcome).toBe('succeeded');
    expect(c.violations).toEqual([]);
    expect(c.replacements).toEqual({ 'w-1': 1, 'w-2': 1 });
    expect(c.cordoned.size).toBe(0);
    // The pre-drain gates of w-1 and w-2 ran it before; the verdict runs it with both back.
    expect(seenAfterCanary.at(-1)).toBe(true);
    expect(report.clusterSteps.find((s) => s.id === 'cluster/post-checks')?.outcome).toBe(
      'succeeded',
    );
    expect(report.notes.join('\n')).toMatch(
      /Canary passed: w-1, w-2 upgraded .*custom:flux passed/,
    );
    expect(report.mixedVersions).toMatchObject({ atTarget: ['w-1', 'w-2'] });
  });

  it('a custom gate that goes false after the canary fails the canary (exit 1), nothing else touched', async () => {
    const c = new FakeCluster();
    const report = await canaryRun(c, async () => (c.replacements['w-2'] ?? 0) === 0);
    expect(report.outcome).toBe('failed');
    expect(report.failure).toMatchObject({
      stepId: 'cluster/post-checks',
      code: 'POST_CHECKS_FAILED',
    });
    expect(c.replacements).toEqual({ 'w-1': 1, 'w-2': 1 });
    expect(c.violations).toEqual([]);
    expect(report.notes.join('\n')).toMatch(/Canary of w-1, w-2 did not pass/);
  });
});
