/**
 * A checked config becomes the Inventory the planners and the engine use. Patches are read
 * here (relative to the config file) so that a missing or broken patch file fails the load,
 * not the node it was meant for.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type {
  Inventory,
  InventoryNode,
  MachineConfigSource,
  PatchSpec,
  TemplateSpec,
} from '../../core/inventory.js';
import type { ConfigProblem } from './check-config.js';
import { nodeAddressesFor, templateAddressFor } from './check-config.js';
import type { DroverConfig, MachineConfigSourceConfig } from './schema.js';

export interface InventoryResult {
  inventory: Inventory;
  problems: ConfigProblem[];
}

type ConfigNode = DroverConfig['nodes'][number];

export async function toInventory(
  config: DroverConfig,
  configDir: string,
): Promise<InventoryResult> {
  const reader = patchReader(configDir);
  const global = await reader.ids(config.patches.global, ['patches', 'global']);
  const byRole = {
    controlplane: await reader.ids(config.patches.controlplane, ['patches', 'controlplane']),
    worker: await reader.ids(config.patches.worker, ['patches', 'worker']),
  };

  const machineConfigs: Record<string, MachineConfigSource> = {};
  for (const [role, source] of Object.entries(config.machineConfigs)) {
    if (source !== undefined) machineConfigs[role] = machineConfigSource(source, configDir);
  }

  const templates: Record<string, TemplateSpec> = {};
  const nodes: InventoryNode[] = [];
  for (const [i, node] of config.nodes.entries()) {
    const own = await reader.ids(node.patches, ['nodes', i, 'patches']);
    let machineConfig = node.role as string;
    if (node.machineConfig !== undefined) {
      machineConfig = `node:${node.name}`;
      machineConfigs[machineConfig] = machineConfigSource(node.machineConfig, configDir);
    }
    const templateKey = `${node.host}/${node.flavor}`;
    templates[templateKey] ??= templateOf(config, node);
    nodes.push(
      inventoryNode(config, i, {
        template: templateKey,
        machineConfig,
        patches: unique([...global, ...byRole[node.role], ...own]),
      }),
    );
  }

  return {
    inventory: {
      cluster: config.cluster,
      nodes,
      templates,
      patches: reader.patches,
      machineConfigs,
      expectedEtcdMembers: nodes.filter((n) => n.role === 'controlplane').length,
      ...(config.gates.ceph.failureDomain === undefined
        ? {}
        : { storageDomainType: config.gates.ceph.failureDomain }),
    },
    problems: reader.problems,
  };
}

/**
 * Reads each patch file once, under its id (a file several nodes share is one patch); a missing
 * or broken file is a problem at the config path that named it.
 */
function patchReader(configDir: string) {
  const patches: Record<string, PatchSpec> = {};
  const problems: ConfigProblem[] = [];
  const ids = async (files: string[], path: (string | number)[]): Promise<string[]> => {
    const out: string[] = [];
    for (const [i, file] of files.entries()) {
      const id = patchId(configDir, file);
      out.push(id);
      if (patches[id] !== undefined) continue;
      const read = await readPatch(resolve(configDir, file));
      if (typeof read === 'string') patches[id] = { id, content: read };
      else problems.push({ path: [...path, i], message: `${file}: ${read.problem}` });
    }
    return out;
  };
  return { patches, problems, ids };
}

function templateOf(config: DroverConfig, node: ConfigNode): TemplateSpec {
  return {
    address: templateAddressFor(config, node.host, node.flavor)!,
    host: node.host,
    flavor: node.flavor,
    schematic: config.schematics[node.flavor]!.id,
  };
}

function inventoryNode(
  config: DroverConfig,
  index: number,
  resolved: Pick<InventoryNode, 'template' | 'machineConfig' | 'patches'>,
): InventoryNode {
  const node = config.nodes[index]!;
  const schematic = config.schematics[node.flavor]!;
  const storage =
    node.osd || node.storageDomain !== undefined
      ? {
          osd: node.osd,
          ...(node.storageDomain === undefined ? {} : { failureDomain: node.storageDomain }),
        }
      : undefined;
  return {
    name: node.name,
    role: node.role,
    host: node.host,
    address: node.address,
    terraformAddresses: nodeAddressesFor(config, index)!,
    template: resolved.template,
    schematic: schematic.id,
    platform: schematic.platform,
    patches: resolved.patches,
    machineConfig: resolved.machineConfig,
    gpu: node.gpu,
    ...(storage === undefined ? {} : { storage }),
    ...(node.labels === undefined ? {} : { labels: node.labels }),
  };
}

/** Patch ids are the file's path relative to the config, with forward slashes. */
function patchId(configDir: string, file: string): string {
  const rel = relative(configDir, resolve(configDir, file));
  return rel.split(sep).join('/');
}

function machineConfigSource(
  source: MachineConfigSourceConfig,
  configDir: string,
): MachineConfigSource {
  if ('sops' in source)
    return {
      kind: 'sops-file',
      ref: isAbsolute(source.sops) ? source.sops : resolve(configDir, source.sops),
    };
  return { kind: 'env-base64', ref: source.envBase64 };
}

async function readPatch(file: string): Promise<string | { problem: string }> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: code === 'ENOENT' ? 'file not found' : `cannot read (${code ?? 'error'})` };
  }
  const docs = parseAllDocuments(content);
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error) {
      const line = error.linePos?.[0]?.line;
      return {
        problem: `not valid YAML${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]}`,
      };
    }
  }
  if (list.every((d) => d.contents === null)) return { problem: 'the patch is empty' };
  return content;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
