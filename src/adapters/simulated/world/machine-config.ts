/**
 * Fake Talos machine configs: YAML shaped like the real ones, with secret-looking tokens drawn
 * from the seeded PRNG. A node accepts a config only if it is YAML with the right machine type
 * and the cluster's own secrets (a config from another cluster would never join).
 */
import { parseAllDocuments } from 'yaml';
import { DroverError } from '../../../core/errors.js';
import type { InventoryNode } from '../../../core/inventory.js';
import type { SeededRandom } from './rng.js';

export const GPU_SCHEMATIC_FLAVOR = 'gpu';

export interface ClusterSecrets {
  clusterSecret: string;
  bootstrapToken: string;
  controlplaneToken: string;
  workerToken: string;
  caKey: string;
}

export function generateSecrets(rng: SeededRandom): Record<string, string> {
  const b64 = (n: number) => Buffer.from(rng.hex(n), 'hex').toString('base64');
  return {
    clusterSecret: b64(64),
    bootstrapToken: `${rng.suffix(6)}.${rng.suffix(16)}`,
    controlplaneToken: `${rng.suffix(6)}.${rng.suffix(16)}`,
    workerToken: `${rng.suffix(6)}.${rng.suffix(16)}`,
    caKey: `LS0tLS1CRUdJTiBFRDI1NTE5IFBSSVZBVEUgS0VZLS0tLS0K${b64(48)}`,
  };
}

export function machineConfigFor(
  node: InventoryNode,
  tokens: Record<string, string>,
  installerImage: string,
): string {
  const token = node.role === 'controlplane' ? tokens.controlplaneToken : tokens.workerToken;
  return [
    'version: v1alpha1',
    'debug: false',
    'machine:',
    `  type: ${node.role}`,
    `  token: ${token}`,
    '  ca:',
    '    crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJQakNCOGFBREFnRUNBaEE=',
    `    key: ${tokens.caKey}`,
    '  network:',
    `    hostname: ${node.name}`,
    '  install:',
    '    disk: /dev/sda',
    `    image: ${installerImage}`,
    'cluster:',
    '  id: c2ltdWxhdGVkLWNsdXN0ZXItaWQ=',
    `  secret: ${tokens.clusterSecret}`,
    `  token: ${tokens.bootstrapToken}`,
    '  controlPlane:',
    '    endpoint: https://10.0.10.10:6443',
    '',
  ].join('\n');
}

/** The values of `tokens` that are secrets (all of them). */
export function secretValuesOf(tokens: Record<string, string>): string[] {
  return Object.values(tokens);
}

type Doc = Record<string, unknown> | null | undefined;

let lastParsed: { config: string; docs: Doc[] } | undefined;

/** Parsed documents; the last config is remembered (it is validated, then inspected). */
function documents(config: string): Doc[] {
  if (lastParsed?.config === config) return lastParsed.docs;
  const docs = parseDocuments(config);
  lastParsed = { config, docs };
  return docs;
}

function parseDocuments(config: string): Doc[] {
  try {
    return parseAllDocuments(config).map((d) => {
      if ('errors' in d && d.errors.length > 0) throw new Error(d.errors[0]?.message);
      return d.toJS() as Doc;
    });
  } catch {
    return [];
  }
}

/** Checks what a Talos node checks before it accepts a config; throws like apply-config. */
export function validateMachineConfig(
  config: string,
  node: InventoryNode,
  tokens: Record<string, string>,
): void {
  const docs = documents(config);
  const main = docs.find((d) => d && typeof d === 'object' && 'machine' in d) as
    { machine?: { type?: string; token?: string }; cluster?: { secret?: string } } | undefined;
  const fail = (why: string) =>
    new DroverError('failed', 'TALOS_CONFIG_INVALID', `error applying new configuration: ${why}`, {
      details: { node: node.name },
    });
  if (!main) throw fail('failed to parse config: no machine config document found');
  if (main.machine?.type !== node.role)
    throw fail(
      `machine type ${String(main.machine?.type)} does not match the node's role ${node.role}`,
    );
  const expected = node.role === 'controlplane' ? tokens.controlplaneToken : tokens.workerToken;
  if (main.machine?.token !== expected || main.cluster?.secret !== tokens.clusterSecret)
    throw fail(
      'rpc error: code = InvalidArgument desc = the config does not belong to this cluster',
    );
}

/** The config (or one of its patch documents) loads the NVIDIA kernel modules. */
export function hasNvidiaModules(config: string): boolean {
  const docs = documents(config);
  if (docs.length === 0) return /name:\s*nvidia/.test(config);
  return docs.some((d) => {
    const modules = (d as { machine?: { kernel?: { modules?: { name?: string }[] } } } | null)
      ?.machine?.kernel?.modules;
    return Array.isArray(modules) && modules.some((m) => /^nvidia/.test(m?.name ?? ''));
  });
}
