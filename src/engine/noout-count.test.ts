import { describe, expect, it } from 'vitest';
import { smallScenarioInput } from '../adapters/simulated/testing/fixtures.js';
import type { ScenarioInput } from '../adapters/simulated/scenario/schema.js';
import { reportLeftoverNoout } from './noout-count.js';
import { runUpgrade } from './run-upgrade.js';
import { nooutUnset } from './steps/node-steps.js';
import { twinRun } from './testing/twin-run.js';

/** The small twin with w-4 an OSD node too: w-3 and w-4 are the OSD workers of domain h3. */
async function setup(faults: ScenarioInput['faults'] = []) {
  const nodes = smallScenarioInput().nodes.map((n) => (n.name === 'w-4' ? { ...n, osd: true } : n));
  const t = await twinRun({ scenario: { nodes, faults } });
  await t.cluster.ports.storage.setNoout('h3', true);
  const noout = () => t.cluster.ports.storage.nooutDomains();
  return { ...t, noout };
}

describe('Ceph noout counted per domain (invariant noout-while-away)', () => {
  it('the unset keeps noout while another OSD node of the domain is in flight, and unsets after', async () => {
    const { run, context, noout } = await setup();
    run.inFlightNodes.add('w-4');
    const first = await nooutUnset.run(context('w-3/storage-noout-unset'));
    expect(first).toMatchObject({ data: { kept: true, away: ['w-4'] } });
    expect(await noout()).toEqual(['h3']);
    run.inFlightNodes.delete('w-4');
    await nooutUnset.run(context('w-3/storage-noout-unset'));
    expect(await noout()).toEqual([]);
  });

  it('a node of the domain down on its own keeps noout too', async () => {
    const { run, context, noout, cluster } = await setup([
      { type: 'node-down', node: 'w-4', fromSeconds: 1 },
    ]);
    // The node controller notices the stopped machine (NotReady) after its grace period.
    await cluster.clock.sleep(60_000);
    const result = await nooutUnset.run(context('w-3/storage-noout-unset'));
    expect(result).toMatchObject({ data: { kept: true, away: ['w-4'] } });
    expect(run.inFlightNodes.size).toBe(0);
    expect(await noout()).toEqual(['h3']);
  });

  it('a noout left set by an earlier run is reported when a run starts', async () => {
    const t = await setup();
    expect(await reportLeftoverNoout(t.run)).toEqual([
      'Ceph noout was already set on h3 when this run started (left by an earlier run, or set by hand): none of its OSD nodes is out of service (it can be unset)',
    ]);
    const report = await runUpgrade(t.upgrade());
    expect(report.notes.join('\n')).toContain('Ceph noout was already set on h3');
    // Ceph reports HEALTH_WARN for it, so the first worker's health gate waits: not our flag to clear.
    expect(report.failure?.code).toBe('HEALTH_GATE_BLOCKED');
    expect(await t.noout()).toEqual(['h3']);
  });
});
