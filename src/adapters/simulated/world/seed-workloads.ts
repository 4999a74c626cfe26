/**
 * The workloads of the scenario as objects at rest: CoreDNS and the deployments with their
 * ReplicaSets and PDBs, the StatefulSets, the DaemonSets (their pods come from the controllers).
 */
import type { World } from './world.js';
import { R, pdbObject, type Placement } from './objects.js';
import { replicaSetObject, workloadObject } from './workload-objects.js';

interface SeededDeployment {
  namespace: string;
  name: string;
  replicas: number;
  placement: Placement;
  spread: boolean;
  emptyDir: boolean;
  grace: number;
  pdb?: object;
  requests?: { cpu: string; memory: string } | undefined;
}

export function seedWorkloads(world: World): void {
  const grace = Math.max(1, Math.round(world.seconds('pod-termination') / 2));
  seedDeployments(world, grace);
  seedStatefulSets(world, grace);
  seedDaemonSets(world);
}

/** CoreDNS (when the scenario has replicas of it) first, then the scenario's deployments. */
function seedDeployments(world: World, grace: number): void {
  const { store } = world;
  const w = world.context.scenario.workloads;
  const deployments: SeededDeployment[] = [];
  if (w.coredns.replicas > 0)
    deployments.push({
      namespace: 'kube-system',
      name: 'coredns',
      replicas: w.coredns.replicas,
      placement: 'all',
      spread: true,
      emptyDir: false,
      grace: 30,
    });
  for (const d of w.deployments)
    deployments.push({
      namespace: d.namespace,
      name: d.name,
      replicas: d.replicas,
      placement: d.on,
      spread: d.spreadAcrossNodes,
      emptyDir: d.emptyDir,
      grace: d.terminationGracePeriodSeconds ?? grace,
      requests: d.requests,
      ...(d.pdb ? { pdb: d.pdb } : {}),
    });
  for (const d of deployments) {
    const dep = store.create(R.deployments, workloadObject('Deployment', d));
    store.create(
      R.replicasets,
      replicaSetObject(
        dep,
        world.rng.hex(10).replace(/[0-9]/g, (c) => 'bcdfghjklm'[Number(c)] ?? 'x'),
      ),
    );
    if (d.pdb)
      store.create(R.pdbs, pdbObject(d.namespace, d.name, d.pdb as { minAvailable: number }));
  }
}

function seedStatefulSets(world: World, grace: number): void {
  const { store } = world;
  for (const s of world.context.scenario.workloads.statefulsets) {
    store.create(
      R.statefulsets,
      workloadObject('StatefulSet', {
        namespace: s.namespace,
        name: s.name,
        replicas: s.replicas,
        placement: s.on,
        spread: s.spreadAcrossNodes,
        emptyDir: s.emptyDir,
        grace: s.terminationGracePeriodSeconds ?? grace,
        requests: s.requests,
      }),
    );
    if (s.pdb) store.create(R.pdbs, pdbObject(s.namespace, s.name, s.pdb));
  }
}

function seedDaemonSets(world: World): void {
  for (const d of world.context.scenario.workloads.daemonsets)
    world.store.create(
      R.daemonsets,
      workloadObject('DaemonSet', {
        namespace: d.namespace,
        name: d.name,
        placement: d.on,
        spread: false,
        emptyDir: false,
        grace: 10,
      }),
    );
}
