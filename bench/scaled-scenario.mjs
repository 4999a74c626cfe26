// An N-node cluster shaped like the reference one, for benchmarks and scale tests: three control
// plane nodes, N - 3 workers, three workers per Proxmox host (as on the reference cluster), every
// worker an OSD, one GPU worker in six on a host with a GPU template. Workloads, leftovers and
// policy are the reference scenario's own, so the only thing that grows is the node count.
// Usage from JS: scaledScenario(referenceScenario, nodeCount) returns a new scenario object.

const WORKERS_PER_HOST = 3;
const GPU_EVERY = 6;

/** The i-th address (0-based) of a /8 block: 10.<block + i / 65536>.<i / 256 % 256>.<i % 256>. */
function address(block, i) {
  return `10.${block + Math.floor(i / 65_536)}.${Math.floor(i / 256) % 256}.${i % 256}`;
}

/**
 * @param {Record<string, unknown>} reference the reference scenario (parsed examples/reference.yaml)
 * @param {number} nodeCount total nodes, at least 4
 */
export function scaledScenario(reference, nodeCount) {
  if (!Number.isInteger(nodeCount) || nodeCount < 4)
    throw new Error('nodeCount must be an integer >= 4');
  const scenario = structuredClone(reference);
  const workers = nodeCount - 3;
  const hostCount = Math.max(3, Math.ceil(workers / WORKERS_PER_HOST));
  const hosts = Array.from({ length: hostCount }, (_, i) => `pve-${i + 1}`);
  const gpuHosts = new Set();
  const nodes = [];
  for (let i = 0; i < 3; i += 1) {
    nodes.push({
      name: `k8s-ctrl-${i + 1}`,
      role: 'controlplane',
      host: hosts[i],
      address: address(0, i + 11),
    });
  }
  for (let i = 0; i < workers; i += 1) {
    const host = hosts[Math.floor(i / WORKERS_PER_HOST)];
    const gpu = i % GPU_EVERY === GPU_EVERY - 3;
    const node = {
      name: `k8s-work-${i + 1}`,
      role: 'worker',
      host,
      address: address(1, i + 21),
      osd: true,
    };
    if (gpu) {
      gpuHosts.add(host);
      Object.assign(node, { flavor: 'gpu', gpu: true, patches: ['nvidia-gpu'] });
    }
    nodes.push(node);
  }
  scenario.name = `scaled-${nodeCount}`;
  scenario.description = `The reference cluster's shape with ${nodeCount} nodes on ${hostCount} hosts.`;
  scenario.hosts = hosts;
  scenario.templates = [
    ...hosts.map((host) => ({ host, flavor: 'base', schematic: 'base' })),
    ...[...gpuHosts].map((host) => ({ host, flavor: 'gpu', schematic: 'gpu' })),
  ];
  scenario.nodes = nodes;
  return scenario;
}
