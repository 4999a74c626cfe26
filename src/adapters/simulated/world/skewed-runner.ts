/**
 * The `skewed-runner` fault (scenario/faults-engine.ts): a second runner of the cluster with its
 * clock off by skewSeconds, contending for the upgrade lease as client-go's leader election
 * does. It is correct itself (it judges expiry from when it saw the record change, on its own
 * clock), so a lease it holds is live: the world knows it, whatever its renewTime says. Its
 * progress is world state (persisted), its steps are world events.
 */
import { DEFAULT_LEASE_NAME, DEFAULT_LEASE_NAMESPACE } from '../../kubernetes/lease-lock.js';
import { leaseSpec, toLease } from '../ports/kube-views.js';
import type { ScenarioFault } from '../scenario/schema.js';
import { R } from './objects.js';
import type { World } from './world.js';

type SkewedRunnerFault = Extract<ScenarioFault, { type: 'skewed-runner' }>;

/** `observed`: the record last seen, first seen so at (own clock); `holdUntil`: world time. */
type SkewedRunnerState = NonNullable<World['state']['skewedRunners']>[number];

function runnersOf(world: World): Record<number, SkewedRunnerState> {
  return (world.state.skewedRunners ??= {});
}

/** The fault runner `holder` is holding the lease right now (by the world's truth, not its clock). */
export function skewedRunnerHolds(world: World, holder: string): boolean {
  return world.context.scenario.faults.some(
    (f, i) =>
      f.type === 'skewed-runner' && f.holder === holder && runnersOf(world)[i]?.phase === 'holding',
  );
}

/** A lease holder that is one of the scenario's other runners (never this Drover run). */
export function isOtherRunner(world: World, holder: string): boolean {
  return world.context.scenario.faults.some(
    (f) =>
      (f.type === 'skewed-runner' || f.type === 'lease-held-by-dead-runner') && f.holder === holder,
  );
}

export function registerSkewedRunners(world: World): void {
  world.registerFaultEffect('skewed-runner', (w, fault, on, index) => {
    if (!on || fault.type !== 'skewed-runner' || runnersOf(w)[index] !== undefined) return;
    // Its first look at the lease is the instant it starts (from the world's first instant,
    // it holds a free lease before any run can look).
    const state: SkewedRunnerState = { phase: 'waiting' };
    runnersOf(w)[index] = state;
    step(w, fault, state);
    w.schedule(fault.renewEverySeconds * 1000, { type: 'skewed-runner', index });
  });
  world.on('skewed-runner', (w, e) => {
    if (e.type !== 'skewed-runner') return;
    const fault = w.context.scenario.faults[e.index];
    const state = runnersOf(w)[e.index];
    if (fault?.type !== 'skewed-runner' || state === undefined || state.phase === 'done') return;
    step(w, fault, state);
    // step() moves the phase on; read it again.
    if (runnersOf(w)[e.index]?.phase !== 'done') w.schedule(fault.renewEverySeconds * 1000, e);
  });
}

const versionOf = (spec: Record<string, unknown>, resourceVersion: string | undefined) =>
  JSON.stringify([resourceVersion, spec.holderIdentity ?? '', spec.renewTime, spec.acquireTime]);

/** The lease as the runner reads it, and how it writes it (keeping what `changes` leave out). */
function readLease(world: World, fault: SkewedRunnerFault) {
  const lease = world.store.getView(R.leases, DEFAULT_LEASE_NAMESPACE, DEFAULT_LEASE_NAME);
  const record = lease === undefined ? undefined : toLease(lease);
  const write = (changes: Partial<Parameters<typeof leaseSpec>[0]>) => {
    const spec = leaseSpec({
      namespace: DEFAULT_LEASE_NAMESPACE,
      name: DEFAULT_LEASE_NAME,
      holderIdentity: record?.holderIdentity,
      leaseDurationSeconds: record?.leaseDurationSeconds ?? fault.leaseDurationSeconds,
      acquireTime: record?.acquireTime,
      renewTime: record?.renewTime,
      leaseTransitions: record?.leaseTransitions ?? 0,
      ...changes,
    });
    if (lease === undefined)
      world.store.create(R.leases, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: DEFAULT_LEASE_NAME, namespace: DEFAULT_LEASE_NAMESPACE },
        spec,
      });
    else
      world.store.mutate(
        R.leases,
        DEFAULT_LEASE_NAMESPACE,
        DEFAULT_LEASE_NAME,
        (o) => void (o.spec = spec),
      );
  };
  return { lease, record, write };
}

function step(world: World, fault: SkewedRunnerFault, state: SkewedRunnerState): void {
  const own = world.now + fault.skewSeconds * 1000;
  const { lease, record, write } = readLease(world, fault);
  if (state.phase === 'holding') {
    // Lost it (someone took it over): a correct runner stops.
    if (record?.holderIdentity !== fault.holder) {
      state.phase = 'done';
      return;
    }
    if (world.now >= (state.holdUntil ?? 0)) {
      write({ holderIdentity: undefined, leaseDurationSeconds: 1, renewTime: own });
      state.phase = 'done';
    } else write({ renewTime: own });
    return;
  }
  const take = () => {
    write({
      holderIdentity: fault.holder,
      leaseDurationSeconds: fault.leaseDurationSeconds,
      acquireTime: own,
      renewTime: own,
      leaseTransitions: (record?.leaseTransitions ?? -1) + 1,
    });
    state.phase = 'holding';
    state.holdUntil = world.now + fault.holdSeconds * 1000;
    delete state.observed;
  };
  if (record === undefined || record.holderIdentity === undefined) return take();
  // Held by another: expired only once unchanged for its whole duration on OUR clock.
  const version = versionOf(
    lease!.spec as Record<string, unknown>,
    lease!.metadata.resourceVersion,
  );
  if (state.observed?.version !== version) {
    state.observed = { version, at: own };
    return;
  }
  if (own - state.observed.at >= record.leaseDurationSeconds * 1000) take();
}
