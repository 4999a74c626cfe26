// examples/drover.yaml describes the reference cluster of the approved architecture.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/app/config/load-config.js';

const example = new URL('../../examples/drover.yaml', import.meta.url).pathname;
const hosts = ['baldar', 'heimdall', 'odin', 'thor'];

describe('examples/drover.yaml', () => {
  it('loads the 15 nodes of the reference cluster with their roles and hosts', async () => {
    const { inventory } = await loadConfig(example);
    expect(inventory.cluster).toBe('prox-ops');
    expect(inventory.nodes).toHaveLength(15);
    const controlPlane = inventory.nodes.filter((n) => n.role === 'controlplane');
    expect(controlPlane.map((n) => [n.name, n.host])).toEqual([
      ['k8s-ctrl-1', 'baldar'],
      ['k8s-ctrl-2', 'heimdall'],
      ['k8s-ctrl-3', 'odin'],
    ]);
    expect(inventory.expectedEtcdMembers).toBe(3);
    const workers = inventory.nodes.filter((n) => n.role === 'worker');
    expect(workers.map((n) => n.name)).toEqual(
      Array.from({ length: 12 }, (_, i) => `k8s-work-${i + 1}`),
    );
    workers.forEach((w, i) => expect(w.host).toBe(hosts[Math.floor(i / 3)]));
    for (const n of inventory.nodes) {
      expect(n.address).toMatch(/^10\.20\.66\.\d+$/);
      expect(n.platform).toBe('nocloud');
    }
    expect(workers.every((w) => w.storage?.osd === true)).toBe(true);
    expect(controlPlane.every((n) => n.storage === undefined)).toBe(true);
  });

  it('gives the GPU workers their own schematic, template and NVIDIA patch', async () => {
    const { inventory } = await loadConfig(example);
    const gpu = inventory.nodes.filter((n) => n.gpu);
    expect(gpu.map((n) => n.name)).toEqual(['k8s-work-4', 'k8s-work-10']);
    const base = inventory.nodes.find((n) => n.name === 'k8s-work-1')!;
    for (const node of gpu) {
      expect(node.schematic).not.toBe(base.schematic);
      expect(node.patches).toContain('patches/nvidia.yaml');
      expect(inventory.templates[node.template]?.address).toBe(`module.template_${node.host}_gpu`);
      expect(inventory.patches['patches/nvidia.yaml']?.content).toContain('nvidia_uvm');
    }
    expect(base.patches).not.toContain('patches/nvidia.yaml');
    expect(inventory.templates[base.template]?.address).toBe('module.template_baldar_base');
  });

  it('addresses the VMs and takes machine configs from SOPS (control plane) and a variable (workers)', async () => {
    const { inventory, customGates, config } = await loadConfig(example);
    const byName = new Map(inventory.nodes.map((n) => [n.name, n]));
    expect(byName.get('k8s-ctrl-2')?.terraformAddresses).toEqual([
      'module.control_plane_nodes["k8s-ctrl-2"]',
    ]);
    expect(byName.get('k8s-work-7')?.terraformAddresses).toEqual([
      'module.worker_nodes["k8s-work-7"]',
    ]);
    expect(inventory.machineConfigs[byName.get('k8s-ctrl-1')!.machineConfig]?.kind).toBe(
      'sops-file',
    );
    expect(inventory.machineConfigs[byName.get('k8s-work-1')!.machineConfig]).toEqual({
      kind: 'env-base64',
      ref: 'TALOS_WORKER_CONFIG_B64',
    });
    expect(customGates.map((g) => g.name)).toEqual(['flux-ready']);
    expect(config.versions).toEqual({ talos: '1.10.8', kubernetes: '1.33.5' });
  });
});
