/** Plants the engine faults of scenario/faults-engine.ts when a world starts fresh. */
import { DEFAULT_LEASE_NAME, DEFAULT_LEASE_NAMESPACE } from '../../kubernetes/lease-lock.js';
import { leaseSpec } from '../ports/kube-views.js';
import { R } from './objects.js';
import type { World } from './world.js';

export function plantEngineFaults(world: World): void {
  for (const fault of world.context.scenario.faults) {
    if (fault.type !== 'lease-held-by-dead-runner') continue;
    // A world restored from its file already has whatever lease the runs left.
    if (world.store.getView(R.leases, DEFAULT_LEASE_NAMESPACE, DEFAULT_LEASE_NAME)) continue;
    const renewed = world.now - fault.renewedSecondsAgo * 1000;
    world.asWorld(() =>
      world.store.create(R.leases, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: DEFAULT_LEASE_NAME, namespace: DEFAULT_LEASE_NAMESPACE },
        spec: leaseSpec({
          namespace: DEFAULT_LEASE_NAMESPACE,
          name: DEFAULT_LEASE_NAME,
          holderIdentity: fault.holder,
          leaseDurationSeconds: fault.leaseDurationSeconds,
          acquireTime: renewed,
          renewTime: renewed,
          leaseTransitions: 0,
        }),
      }),
    );
  }
}
