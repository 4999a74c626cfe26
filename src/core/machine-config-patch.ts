/**
 * Strategic-merge-style patches for Talos machine configs, built so that applying the same
 * patches twice gives exactly the same config: a re-applied patch must not duplicate list
 * entries (extra kernel args, mounts, files, kernel modules, ...).
 *
 * Rules:
 * - maps merge deeply; a scalar in the patch replaces the config's; `{$patch: delete}` as a
 *   value removes the key;
 * - lists of scalars: the config's entries, then the patch's entries not already present;
 * - lists of objects: an entry with the same natural key (mounts by `destination`, files by
 *   `path`, interfaces by `interface` or `deviceSelector`, ... see LIST_KEYS) is merged into the
 *   existing one, an identical entry is skipped, anything else is appended;
 * - a few lists state a whole value (nameservers, time servers, pod and service subnets): the
 *   patch replaces them, as an operator writing such a patch expects;
 * - only the v1alpha1 document of a multi-document config is patched; the others are kept.
 *
 * The patched document is re-serialised from data, so its comments are dropped. Legacy octal
 * integers (`permissions: 0644`, which Talos's YAML decoder reads as octal) are read as octal
 * and written in decimal, the same value for Talos. Error messages never quote the YAML:
 * machine configs hold secrets.
 */
import { Document, parseAllDocuments } from 'yaml';
import type { ScalarTag, Tags, YAMLError } from 'yaml';
import { DroverError } from './errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonMap = { [key: string]: Json };

/** Natural keys of object lists, by path (`[]` marks a list item). */
const LIST_KEYS: Record<string, string[]> = {
  'machine.kubelet.extraMounts': ['destination'],
  'machine.files': ['path'],
  'machine.network.interfaces': ['interface', 'deviceSelector'],
  'machine.network.interfaces[].vlans': ['vlanId'],
  'machine.network.interfaces[].routes': ['network'],
  'machine.network.interfaces[].vlans[].routes': ['network'],
  'machine.network.extraHostEntries': ['ip'],
  'machine.disks': ['device'],
  'machine.disks[].partitions': ['mountpoint'],
  'machine.kernel.modules': ['name'],
  'cluster.inlineManifests': ['name'],
  'cluster.apiServer.extraVolumes': ['mountPath'],
  'cluster.controllerManager.extraVolumes': ['mountPath'],
  'cluster.scheduler.extraVolumes': ['mountPath'],
};

/** Keys tried, in order, for object lists not named above. */
const FALLBACK_KEYS = ['name', 'destination', 'path', 'mountPath', 'interface', 'id'];

const REPLACED_LISTS = new Set([
  'machine.network.nameservers',
  'machine.time.servers',
  'cluster.network.podSubnets',
  'cluster.network.serviceSubnets',
]);

const legacyOctal: ScalarTag = {
  identify: () => false,
  default: true,
  tag: 'tag:yaml.org,2002:int',
  test: /^0[0-7]+$/,
  resolve: (source) => parseInt(source, 8),
};
const PARSE_OPTIONS = { customTags: (tags: Tags): Tags => [legacyOctal, ...tags] };

function isMap(value: Json | undefined): value is JsonMap {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isDelete(value: Json): boolean {
  return isMap(value) && value.$patch === 'delete';
}

/** Structural equality; map key order does not matter (YAML maps are unordered). */
function deepEqual(a: Json | undefined, b: Json | undefined): boolean {
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  if (isMap(a) && isMap(b)) {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => deepEqual(a[k], b[k]));
  }
  return a === b;
}

function mergeValue(base: Json | undefined, patch: Json, path: string): Json {
  if (isMap(patch)) return mergeMaps(isMap(base) ? base : {}, patch, path);
  if (Array.isArray(patch)) return mergeLists(Array.isArray(base) ? base : [], patch, path);
  return patch;
}

function mergeMaps(base: JsonMap, patch: JsonMap, path: string): JsonMap {
  const out: JsonMap = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (isDelete(value)) delete out[key];
    else out[key] = mergeValue(base[key], value, path === '' ? key : `${path}.${key}`);
  }
  return out;
}

function sameKey(candidates: string[], a: JsonMap, b: JsonMap): boolean {
  const key = candidates.find((k) => b[k] !== undefined);
  return key !== undefined && a[key] !== undefined && deepEqual(a[key], b[key]);
}

function mergeLists(base: Json[], patch: Json[], path: string): Json[] {
  const itemPath = `${path}[]`;
  if (REPLACED_LISTS.has(path)) return patch.map((item) => mergeValue(undefined, item, itemPath));
  const keys = LIST_KEYS[path] ?? FALLBACK_KEYS;
  const out = [...base];
  for (const raw of patch) {
    const item = mergeValue(undefined, raw, itemPath);
    if (out.some((existing) => deepEqual(existing, item))) continue;
    const match = isMap(item)
      ? out.findIndex((existing) => isMap(existing) && sameKey(keys, existing, item))
      : -1;
    if (match >= 0) out[match] = mergeValue(out[match], raw, itemPath);
    else out.push(item);
  }
  return out;
}

function yamlProblem(
  code: 'PATCH_INVALID' | 'MACHINE_CONFIG_INVALID',
  what: string,
  reason: string,
  details: Record<string, unknown>,
): DroverError {
  const hint =
    code === 'PATCH_INVALID'
      ? 'Fix the patch: it must be a YAML map of machine config fields, e.g. "machine:\\n  install:\\n    extraKernelArgs: [...]".'
      : 'Check the machine config source: it must decrypt to a Talos machine config (YAML, with a v1alpha1 document).';
  return new DroverError('input', code, `${what}: ${reason}`, {
    hint,
    details,
    cause: new Error(`${code}: ${reason}`),
  });
}

function syntaxReason(error: YAMLError): { reason: string; line?: number; column?: number } {
  const at = error.linePos?.[0];
  return at === undefined
    ? { reason: `invalid YAML (${error.code})` }
    : {
        reason: `invalid YAML (${error.code}) at line ${at.line}, column ${at.col}`,
        line: at.line,
        column: at.col,
      };
}

function parsePatch(patch: string, index: number): JsonMap[] {
  const docs = parseAllDocuments(patch, PARSE_OPTIONS);
  if (!Array.isArray(docs)) return [];
  const out: JsonMap[] = [];
  for (const doc of docs) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const { reason, ...position } = syntaxReason(error);
      throw yamlProblem('PATCH_INVALID', `patch #${index + 1}`, reason, {
        patch: index,
        ...position,
      });
    }
    const value = doc.toJS() as Json;
    if (value === null || value === undefined) continue;
    if (!isMap(value)) {
      throw yamlProblem('PATCH_INVALID', `patch #${index + 1}`, 'not a YAML map', { patch: index });
    }
    if (value.kind !== undefined) {
      throw yamlProblem(
        'PATCH_INVALID',
        `patch #${index + 1}`,
        `targets a "${String(value.kind)}" document; only the v1alpha1 document is patched`,
        { patch: index },
      );
    }
    out.push(value);
  }
  return out;
}

export function applyPatches(config: string, patches: string[]): string {
  const patchDocs = patches.flatMap(parsePatch);
  const docs = parseAllDocuments(config, PARSE_OPTIONS);
  const list = Array.isArray(docs) ? docs : [];
  for (const doc of list) {
    const error = doc.errors[0];
    if (error !== undefined) {
      const { reason, ...position } = syntaxReason(error);
      throw yamlProblem('MACHINE_CONFIG_INVALID', 'machine config', reason, position);
    }
  }
  const target = list.findIndex((doc) => {
    const value = doc.toJS() as Json;
    return isMap(value) && (value.version === 'v1alpha1' || value.kind === undefined);
  });
  if (target < 0) {
    throw yamlProblem('MACHINE_CONFIG_INVALID', 'machine config', 'no v1alpha1 document', {});
  }
  let merged = list[target]!.toJS() as JsonMap;
  for (const patch of patchDocs) merged = mergeMaps(merged, patch, '');
  const parts = list.map((doc, i) =>
    i === target ? new Document(merged).toString({ lineWidth: 0 }) : doc.toString({ lineWidth: 0 }),
  );
  return parts.map((part) => part.replace(/^---\n/, '')).join('---\n');
}
