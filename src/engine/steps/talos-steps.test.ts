import { describe, expect, it } from 'vitest';
import { DroverError } from '../../core/errors.js';
import type { PlanStep } from '../../core/plan.js';
import { makeContext } from '../run-step.js';
import { FakeCluster, TO } from '../testing/fake-cluster.js';
import { testRun } from '../testing/test-run.js';
import { talosUpgrade } from './talos-steps.js';

const step: PlanStep = {
  id: 'w-1/talos-upgrade',
  action: 'talos-upgrade',
  node: 'w-1',
  params: { image: 'factory.talos.dev/nocloud-installer/base:v1.11.0', version: TO },
  title: 'Upgrade w-1',
};

/** A pets upgrade where the node's version and the upgrade call's behaviour are scripted. */
function setup(behaviour: (call: number) => { upgrades: boolean; error?: DroverError }) {
  const c = new FakeCluster();
  const run = testRun(c);
  let version = '1.10.8';
  let calls = 0;
  run.ports.talos.version = async () => version;
  run.ports.talos.upgrade = async () => {
    const b = behaviour(++calls);
    if (b.upgrades) version = TO;
    if (b.error) throw b.error;
  };
  const node = run.inventory.nodes.find((n) => n.name === 'w-1');
  return {
    ctx: makeContext(run, step, node, []),
    calls: () => calls,
    setVersion: (v: string) => (version = v),
  };
}

const dropped = () =>
  new DroverError('failed', 'TALOS_UNAVAILABLE', 'rpc error: code = Unavailable', {
    details: { transient: true },
  });

describe('talos-upgrade', () => {
  it('a node already at the target is skipped without a call', async () => {
    const s = setup(() => ({ upgrades: true }));
    s.setVersion(TO);
    expect(await talosUpgrade.run(s.ctx)).toMatchObject({ outcome: 'skipped' });
    expect(s.calls()).toBe(0);
  });

  it('a call that fails after the node did upgrade (connection drop in the reboot) is a success, not a retry', async () => {
    const s = setup(() => ({ upgrades: true, error: dropped() }));
    expect(await talosUpgrade.run(s.ctx)).toMatchObject({ outcome: 'succeeded' });
    expect(s.calls()).toBe(1);
  });

  it('a transient failure before anything happened is retried', async () => {
    const s = setup((n) => (n === 1 ? { upgrades: false, error: dropped() } : { upgrades: true }));
    expect(await talosUpgrade.run(s.ctx)).toMatchObject({ outcome: 'succeeded' });
    expect(s.calls()).toBe(2);
  });

  it('a refusal (etcd quorum) is not retried and fails the step', async () => {
    const refusal = new DroverError(
      'failed',
      'TALOS_UPGRADE_REFUSED',
      'etcd member count(2) is insufficient to maintain quorum',
    );
    const s = setup(() => ({ upgrades: false, error: refusal }));
    await expect(talosUpgrade.run(s.ctx)).rejects.toMatchObject({ code: 'TALOS_UPGRADE_REFUSED' });
    expect(s.calls()).toBe(1);
  });
});
