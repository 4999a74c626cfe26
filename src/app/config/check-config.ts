/**
 * Rules that span fields of a schema-valid config: unique names and addresses, references
 * between sections (flavors, machine configs, Terraform addresses, templates), CEL gates.
 * Each problem names the field path it is about.
 */
import { NODE_ROLES } from '../../core/inventory.js';
import { celExpressionProblem } from './cel-expression.js';
import { checkHooksConfig } from './check-hooks-config.js';
import type { DroverConfig } from './schema.js';

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
}

export function nodeAddressesFor(config: DroverConfig, index: number): string[] | undefined {
  const node = config.nodes[index]!;
  if (node.terraformAddresses) return node.terraformAddresses;
  const pattern = config.terraform.nodeAddresses[node.role];
  return pattern === undefined ? undefined : [fill(pattern, { name: node.name, host: node.host })];
}

export function templateAddressFor(
  config: DroverConfig,
  host: string,
  flavor: string,
): string | undefined {
  const explicit = config.terraform.templates[`${host}/${flavor}`];
  if (explicit !== undefined) return explicit;
  const pattern = config.terraform.templateAddress;
  return pattern === undefined ? undefined : fill(pattern, { host, flavor });
}

export function fill(pattern: string, values: Record<string, string>): string {
  return pattern.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

type AddProblem = (path: (string | number)[], message: string) => void;

export function checkConfig(config: DroverConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const add: AddProblem = (path, message) => problems.push({ path, message });
  checkAddressPatterns(config, add);
  checkNodes(config, add);
  if (!config.nodes.some((n) => n.role === 'controlplane'))
    add(['nodes'], 'no controlplane node: etcd needs at least one');
  for (const [key] of Object.entries(config.terraform.templates)) {
    const [host, flavor] = key.split('/') as [string, string];
    if (!config.nodes.some((n) => n.host === host && n.flavor === flavor))
      add(['terraform', 'templates', key], 'no node uses this host/flavor (typo?)');
  }
  checkCustomGates(config, add);
  if (config.journal.s3 && config.backup.s3 === undefined)
    add(['journal', 's3'], 'needs backup.s3 (the journal is stored beside the state backups)');
  problems.push(...checkHooksConfig(config));
  return problems;
}

/** The Terraform address patterns name what makes each address its own. */
function checkAddressPatterns(config: DroverConfig, add: AddProblem): void {
  for (const role of NODE_ROLES) {
    const pattern = config.terraform.nodeAddresses[role];
    if (pattern !== undefined && !pattern.includes('{name}'))
      add(
        ['terraform', 'nodeAddresses', role],
        'must contain {name}, or every node would share one VM',
      );
  }
  const pattern = config.terraform.templateAddress;
  if (pattern !== undefined && !(pattern.includes('{host}') && pattern.includes('{flavor}')))
    add(['terraform', 'templateAddress'], 'must contain {host} and {flavor}');
}

/** Unique names, addresses and Terraform addresses; every reference a node makes resolves. */
function checkNodes(config: DroverConfig, add: AddProblem): void {
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  const tfOwners = new Map<string, string>();
  config.nodes.forEach((node, i) => {
    const at = (field: string) => ['nodes', i, field];
    const seenName = names.get(node.name);
    if (seenName !== undefined) add(at('name'), `"${node.name}" is also nodes[${seenName}]`);
    names.set(node.name, i);
    const seenAddress = addresses.get(node.address);
    if (seenAddress !== undefined)
      add(at('address'), `${node.address} is also the address of nodes[${seenAddress}]`);
    addresses.set(node.address, i);

    if (config.schematics[node.flavor] === undefined)
      add(at('flavor'), `no schematic "${node.flavor}" (known: ${known(config.schematics)})`);
    if (node.machineConfig === undefined && config.machineConfigs[node.role] === undefined)
      add(at('machineConfig'), `no machine config: set it here or in machineConfigs.${node.role}`);

    const tf = nodeAddressesFor(config, i);
    if (tf === undefined)
      add(at('terraformAddresses'), `none: set it here or terraform.nodeAddresses.${node.role}`);
    for (const a of tf ?? []) {
      const owner = tfOwners.get(a);
      if (owner !== undefined) add(at('terraformAddresses'), `${a} also belongs to ${owner}`);
      tfOwners.set(a, node.name);
    }
    if (templateAddressFor(config, node.host, node.flavor) === undefined)
      add(
        at('flavor'),
        `no template for ${node.host}/${node.flavor}: set terraform.templateAddress or terraform.templates["${node.host}/${node.flavor}"]`,
      );
  });
}

function checkCustomGates(config: DroverConfig, add: AddProblem): void {
  const gateNames = new Set<string>();
  config.gates.custom.forEach((gate, i) => {
    if (gateNames.has(gate.name))
      add(['gates', 'custom', i, 'name'], `"${gate.name}" is listed twice`);
    gateNames.add(gate.name);
    if (!('expression' in gate)) return;
    const problem = celExpressionProblem(gate.expression);
    if (problem !== undefined) add(['gates', 'custom', i, 'expression'], problem);
  });
}

function known(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  return keys.length === 0 ? 'none' : keys.join(', ');
}
