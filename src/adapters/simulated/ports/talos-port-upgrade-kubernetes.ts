/**
 * The simulated `talosctl upgrade-k8s`, as pkg/cluster/kubernetes (v1.10.9 / v1.11.6) behaves:
 * one minor at a time from the lowest version found, removed-API checks on a minor hop (the
 * scenario's k8s-removed-apis fault, scenario/faults-talos.ts), images pre-pulled on every node,
 * then each component updated; a dry run prints the same plan and changes nothing.
 */
import type { KubernetesUpgradeOptions } from '../../../ports/talos.js';
import { removedItemsError } from '../../talos/removed-items.js';
import { R } from '../world/objects.js';
import type { World } from '../world/world.js';
import { busy, rpcError, runningMachine } from './talos-port-common.js';

const COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
  'kube-proxy',
  'kubelet',
] as const;

export async function upgradeKubernetes(
  world: World,
  options: KubernetesUpgradeOptions,
): Promise<string> {
  const n = world.requireNodeByAddress(options.node);
  if (n.role !== 'controlplane')
    throw rpcError('TALOS_K8S_UPGRADE', `error: node ${options.node} is not a control plane node`);
  if (!options.dryRun) world.failIfScripted('k8s-upgrade', undefined);
  runningMachine(world, options.node);
  const from = world.state.kubernetesVersion;
  const minorHop = refuseUnsupportedPath(from, options.to);
  const removed = world.faults().find((f) => f.type === 'k8s-removed-apis');
  if (removed) {
    await busy(world, world.seconds('k8s-upgrade') * 0.05, options.signal);
    throw removedItemsError(options.to, [
      {
        kind: 'resource',
        value: removed.resource,
        count: removed.count,
        text: `${removed.count} ${removed.resource} object(s)`,
      },
    ]);
  }
  const lines = upgradeLines(world, from, options, minorHop);
  await busy(world, world.seconds('k8s-upgrade') * (options.dryRun ? 0.05 : 1), options.signal);
  if (!options.dryRun) {
    world.state.kubernetesVersion = options.to;
    setKubeletVersions(world, options.to);
    world.changed();
  }
  lines.push(' > processing manifest v1.ServiceAccount/coredns', '  < no changes');
  return `${lines.join('\n')}\n`;
}

/** Same major, same or next minor; else talosctl's error. Returns whether the minor changes. */
function refuseUnsupportedPath(from: string, to: string): boolean {
  const [fMaj, fMin] = from.split('.').map(Number);
  const [tMaj, tMin] = to.split('.').map(Number);
  const fromLine = `${fMaj}.${fMin}`;
  const toLine = `${tMaj}.${tMin}`;
  if (fMaj !== tMaj || (tMin ?? 0) < (fMin ?? 0) || (tMin ?? 0) > (fMin ?? 0) + 1)
    throw rpcError(
      'TALOS_K8S_UPGRADE',
      `unsupported upgrade path ${fromLine}->${toLine} (from "${from}" to "${to}")`,
    );
  return toLine !== fromLine;
}

/** What upgrade-k8s prints before its manifests: discovery, checks, pre-pulls, components. */
function upgradeLines(
  world: World,
  from: string,
  options: KubernetesUpgradeOptions,
  minorHop: boolean,
): string[] {
  const nodes = world.context.inventory.nodes;
  const lines = [
    `automatically detected the lowest Kubernetes version ${from}`,
    `discovered controlplane nodes ${JSON.stringify(nodes.filter((x) => x.role === 'controlplane').map((x) => x.address))}`,
    `discovered worker nodes ${JSON.stringify(nodes.filter((x) => x.role === 'worker').map((x) => x.address))}`,
  ];
  // A minor hop has removed-item checks (go-kubernetes checks.go); images are pre-pulled, dry
  // run included (pkg/cluster/kubernetes/talos_managed.go).
  if (minorHop)
    lines.push(
      'checking for removed Kubernetes component flags',
      'checking for removed Kubernetes API resource versions',
    );
  for (const n of nodes)
    lines.push(` > "${n.address}": pre-pulling ghcr.io/siderolabs/kubelet:v${options.to}`);
  for (const component of COMPONENTS) {
    lines.push(`updating "${component}" to version "${options.to}"`);
    if (options.dryRun) lines.push(' > skipped in dry-run');
  }
  return lines;
}

/** Every Node reports the new kubelet version (as the kubelets would once restarted). */
function setKubeletVersions(world: World, to: string): void {
  world.asWorld(() => {
    for (const obj of world.store.list(R.nodes))
      world.store.mutate(R.nodes, undefined, obj.metadata.name, (x) => {
        const st = (x.status ??= {});
        st.nodeInfo = { ...(st.nodeInfo as object), kubeletVersion: `v${to}` };
      });
  });
}
