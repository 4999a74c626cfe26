import { describe, expect, it } from 'vitest';
import { DEFAULT_STEP_DURATIONS } from '../core/durations.js';
import { Redactor } from '../core/redact.js';
import { reportLeftoverNoout } from './noout-count.js';
import { runUpgrade } from './run-upgrade.js';
import { nooutUnset } from './steps/node-steps.js';
import { FakeCluster } from './testing/fake-cluster.js';
import { testContext, testRun } from './testing/test-run.js';

// Test inventory: w-2 and w-3 are OSD workers of domain b, w-1 of domain a.
describe('Ceph noout counted per domain (invariant noout-while-away)', () => {
  it('the unset keeps noout while another OSD node of the domain is in flight, and unsets after', async () => {
    const c = new FakeCluster();
    c.noout.add('b');
    const run = testRun(c);
    run.inFlightNodes.add('w-2');
    const first = await nooutUnset.run(testContext(run, 'w-3/storage-noout-unset'));
    expect(first).toMatchObject({ data: { kept: true, away: ['w-2'] } });
    expect([...c.noout]).toEqual(['b']);
    run.inFlightNodes.delete('w-2');
    await nooutUnset.run(testContext(run, 'w-3/storage-noout-unset'));
    expect([...c.noout]).toEqual([]);
  });

  it('a node of the domain down on its own keeps noout too', async () => {
    const c = new FakeCluster();
    c.noout.add('b');
    const vm = c.vms.get('w-2');
    if (vm) vm.configured = false;
    const run = testRun(c);
    await nooutUnset.run(testContext(run, 'w-3/storage-noout-unset'));
    expect([...c.noout]).toEqual(['b']);
  });

  it('a noout left set by an earlier run is reported when a run starts', async () => {
    const c = new FakeCluster();
    c.noout.add('b');
    expect(await reportLeftoverNoout(testRun(c))).toEqual([
      'Ceph noout was already set on b when this run started (left by an earlier run, or set by hand): none of its OSD nodes is out of service (it can be unset)',
    ]);
    const report = await runUpgrade({
      plan: testRun(c).plan,
      inventory: c.inventory,
      ports: c.ports(),
      durations: DEFAULT_STEP_DURATIONS,
      runId: 'r',
      holderIdentity: 'me',
      resume: false,
      redactor: new Redactor(),
    });
    expect(report.notes.join('\n')).toContain('Ceph noout was already set on b');
    // Ceph reports HEALTH_WARN for it, so the first worker's health gate waits: not our flag to clear.
    expect(report.failure?.code).toBe('HEALTH_GATE_BLOCKED');
  });
});
