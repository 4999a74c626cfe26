/**
 * The files `drover simulate --serve` writes for a scenario: a drover.yaml describing the
 * simulated cluster exactly as its twin builds it (nodes, Terraform addresses, templates,
 * schematics, patches, Ceph), so `drover validate` and `drover upgrade --dry-run` see the
 * cluster they would see for real. Machine configs come from variables (sourced from env.sh):
 * placeholders, since the dry run only proves they are readable and never applies them.
 */
import { stringify } from 'yaml';
import {
  deriveInventory,
  nodeModuleAddress,
  templateAddress,
} from '../../adapters/simulated/scenario/derive.js';
import type { Scenario } from '../../adapters/simulated/scenario/schema.js';

export const MACHINE_CONFIG_VARIABLES = {
  controlplane: 'TALOS_CONTROLPLANE_CONFIG_B64',
  worker: 'TALOS_WORKER_CONFIG_B64',
} as const;

export interface ServeFile {
  /** Relative to the serve directory. */
  path: string;
  content: string;
}

const patchFile = (id: string) => `patches/${id}.yaml`;

export function serveConfigFiles(scenario: Scenario, kubeconfigFile: string): ServeFile[] {
  const inventory = deriveInventory(scenario);
  const flavors = new Map(scenario.templates.map((t) => [t.flavor, t.schematic]));
  const config = {
    cluster: scenario.cluster,
    versions: {
      talos: scenario.upgrade.talos.from,
      kubernetes: scenario.upgrade.kubernetes.from,
    },
    terraform: {
      dir: 'terraform',
      templates: Object.fromEntries(
        scenario.templates.map((t) => [
          `${t.host}/${t.flavor}`,
          t.address ?? templateAddress(t.host, t.flavor),
        ]),
      ),
    },
    schematics: Object.fromEntries(
      [...flavors].map(([flavor, schematic]) => [
        flavor,
        { id: scenario.schematics[schematic] ?? schematic },
      ]),
    ),
    machineConfigs: {
      controlplane: { envBase64: MACHINE_CONFIG_VARIABLES.controlplane },
      worker: { envBase64: MACHINE_CONFIG_VARIABLES.worker },
    },
    patches: {
      global: scenario.patchSets.global.map(patchFile),
      controlplane: scenario.patchSets.controlplane.map(patchFile),
      worker: scenario.patchSets.worker.map(patchFile),
    },
    nodes: scenario.nodes.map(configNode),
    backup: SIMULATED_BACKUP,
    journal: { file: 'journal.jsonl' },
    kubernetes: { kubeconfig: kubeconfigFile },
  };
  const header = [
    `# The simulated cluster "${scenario.name}" served by \`drover simulate --serve\`.`,
    '# Machine configs come from the variables env.sh exports (placeholders: a dry run only',
    '# checks they are readable). backup.s3 names an endpoint where nothing listens: a dry run',
    '# only checks a backup target is configured.',
    '',
  ].join('\n');
  return [
    { path: 'drover.yaml', content: header + stringify(config) },
    ...Object.values(inventory.patches).map((p) => ({
      path: patchFile(p.id),
      content: p.content.endsWith('\n') ? p.content : `${p.content}\n`,
    })),
  ];
}

/** A scenario node as the config's nodes list names it, with its VM's Terraform address. */
function configNode(n: Scenario['nodes'][number]) {
  return {
    name: n.name,
    role: n.role,
    host: n.host,
    address: n.address,
    flavor: n.flavor,
    ...(n.gpu ? { gpu: true } : {}),
    ...(n.osd ? { osd: true } : {}),
    ...(n.storageDomain ? { storageDomain: n.storageDomain } : {}),
    ...(n.patches.length > 0 ? { patches: n.patches.map(patchFile) } : {}),
    terraformAddresses: [nodeModuleAddress(n)],
    ...(Object.keys(n.labels).length > 0 ? { labels: n.labels } : {}),
  };
}

const SIMULATED_BACKUP = {
  // Named so the dry run's backup check passes; nothing listens there (port 1): a real
  // cattle run against this config stops at its first state backup, as it should.
  s3: {
    bucket: 'drover-simulated-backups',
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:1',
    forcePathStyle: true,
  },
  localDir: 'backups',
};

/** A placeholder machine config of the role, base64 as CI secrets carry it. */
export function placeholderMachineConfig(role: 'controlplane' | 'worker'): string {
  const yaml = `version: v1alpha1\nmachine:\n  type: ${role}\ncluster:\n  clusterName: simulated\n`;
  return Buffer.from(yaml).toString('base64');
}
