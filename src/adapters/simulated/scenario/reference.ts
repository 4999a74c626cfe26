/**
 * The reference cluster (README.md, docs/scenarios.md), the shape the approved architecture was written for:
 * three control plane nodes on baldar, heimdall and odin; twelve workers, three per host on
 * baldar, heimdall, odin and thor; GPU workers k8s-work-4 and k8s-work-10 with their own
 * schematic and the NVIDIA patch; Rook-Ceph OSDs on every worker; CoreDNS; PDB-guarded
 * deployments; Flux HelmReleases. examples/reference.yaml holds the same scenario (a test keeps
 * them equal).
 */
import type { Scenario, ScenarioInput } from './schema.js';
import { parseScenario } from './load.js';

const HOSTS = ['baldar', 'heimdall', 'odin', 'thor'] as const;
const GPU_WORKERS = new Set(['k8s-work-4', 'k8s-work-10']);

/** Schematic of the plain installer (illustrative id). */
export const BASE_SCHEMATIC = '376567988ad370138ad8b2698212367b8edcb69b5fd68c80be1f2ec7d603b4ba';
/** A schematic with the NVIDIA extensions (illustrative id). */
export const GPU_SCHEMATIC = '9e4c1b0a3f2d8e7c6b5a49382716f5e4d3c2b1a09f8e7d6c5b4a392817f6e5d4';

export const NVIDIA_PATCH = `machine:
  kernel:
    modules:
      - name: nvidia
      - name: nvidia_uvm
      - name: nvidia_drm
      - name: nvidia_modeset
  sysctls:
    net.core.bpf_jit_harden: 1
`;

export function referenceScenarioInput(): ScenarioInput {
  return {
    name: 'reference',
    description:
      'The reference cluster: 3 control plane nodes, 12 workers on 4 Proxmox hosts, 2 GPU workers, Rook-Ceph, CoreDNS, PDB-guarded deployments, Flux.',
    cluster: 'homelab',
    upgrade: {
      kind: 'cattle',
      talos: { from: '1.10.8', to: '1.11.0' },
      kubernetes: { from: '1.33.5' },
    },
    hosts: [...HOSTS],
    schematics: { base: BASE_SCHEMATIC, gpu: GPU_SCHEMATIC },
    templates: [
      ...HOSTS.map((host) => ({ host, flavor: 'base', schematic: 'base' })),
      { host: 'heimdall', flavor: 'gpu', schematic: 'gpu' },
      { host: 'thor', flavor: 'gpu', schematic: 'gpu' },
    ],
    patches: { 'nvidia-gpu': NVIDIA_PATCH },
    nodes: referenceNodes(),
    storage: { ceph: true, toleratedDomainsDown: 1 },
    workloads: referenceWorkloads(),
    // Ceph replicates across hosts: one failure domain at a time, all its workers at once.
    policy: { disruption: { maxUnavailableWorkers: 3, maxUnavailableDomains: 1 } },
  };
}

/** k8s-ctrl-1..3 on baldar, heimdall, odin; k8s-work-1..12, three per host, OSDs on all. */
function referenceNodes(): NonNullable<ScenarioInput['nodes']> {
  const nodes: NonNullable<ScenarioInput['nodes']> = [];
  ['baldar', 'heimdall', 'odin'].forEach((host, i) =>
    nodes.push({
      name: `k8s-ctrl-${i + 1}`,
      role: 'controlplane',
      host,
      address: `10.0.10.${11 + i}`,
    }),
  );
  HOSTS.forEach((host, h) => {
    for (let k = 1; k <= 3; k++) {
      const n = h * 3 + k;
      const name = `k8s-work-${n}`;
      const gpu = GPU_WORKERS.has(name);
      nodes.push({
        name,
        role: 'worker',
        host,
        address: `10.0.20.${20 + n}`,
        ...(gpu ? { flavor: 'gpu', gpu: true, patches: ['nvidia-gpu'] } : {}),
        osd: true,
      });
    }
  });
  return nodes;
}

/** CoreDNS, PDB-guarded apps, per-node daemons, Flux releases and a lived-in cluster's leftovers. */
function referenceWorkloads(): NonNullable<ScenarioInput['workloads']> {
  return {
    coredns: { replicas: 2 },
    deployments: [
      {
        namespace: 'apps',
        name: 'web',
        replicas: 3,
        pdb: { minAvailable: 2 },
        spreadAcrossNodes: true,
        requests: { cpu: '250m', memory: '256Mi' },
      },
      {
        namespace: 'apps',
        name: 'api',
        replicas: 2,
        pdb: { maxUnavailable: 1 },
        requests: { cpu: '500m', memory: '512Mi' },
      },
      {
        namespace: 'monitoring',
        name: 'grafana',
        replicas: 1,
        requests: { cpu: '100m', memory: '256Mi' },
      },
    ],
    statefulsets: [
      {
        namespace: 'databases',
        name: 'postgres',
        replicas: 3,
        pdb: { minAvailable: 2 },
        spreadAcrossNodes: true,
        requests: { cpu: '1', memory: '4Gi' },
      },
    ],
    daemonsets: [
      { namespace: 'kube-system', name: 'kube-proxy', on: 'all' },
      { namespace: 'kube-system', name: 'cilium', on: 'all' },
      { namespace: 'rook-ceph', name: 'rook-ceph-osd', on: 'osd' },
      { namespace: 'monitoring', name: 'node-exporter', on: 'all' },
      { namespace: 'gpu-operator', name: 'nvidia-device-plugin', on: 'gpu' },
    ],
    helmReleases: [
      { namespace: 'flux-system', name: 'cilium' },
      { namespace: 'flux-system', name: 'rook-ceph' },
      { namespace: 'flux-system', name: 'rook-ceph-cluster' },
      { namespace: 'flux-system', name: 'kube-prometheus-stack' },
    ],
    // A lived-in cluster: finished and evicted pods, and a crash loop no check covers.
    leftovers: {
      cronJobs: [{ namespace: 'backup', name: 'etcd-snapshot', history: 3 }],
      finishedBarePods: 2,
      evictedPods: 2,
      crashLoopingJobs: [{ namespace: 'sandbox', name: 'flaky-migration' }],
    },
  };
}

export function referenceScenario(): Scenario {
  return parseScenario(referenceScenarioInput(), 'reference');
}
