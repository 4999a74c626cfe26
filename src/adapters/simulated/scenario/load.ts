/**
 * Loads a scenario: YAML, then the zod schema, then the cross-references the schema cannot
 * express (hosts, templates, schematics, patches and fault targets that must exist). Every
 * problem names its field path, e.g. `nodes[3].host`.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { DroverError } from '../../../core/errors.js';
import { referenceScenarioInput } from './reference.js';
import { timingProblems, type FaultTiming } from './fault-timing.js';
import { scenarioSchema, type Scenario, type ScenarioNode } from './schema.js';

/** The YAML line of a field path (the config loader's `lineOf`, passed in by the CLI). */
export type LocateLine = (
  doc: Document,
  counter: LineCounter,
  path: readonly PropertyKey[],
) => number | undefined;

/** Aliases one scenario may expand (yaml's default; a "billion laughs" file stops here). */
const MAX_ALIAS_COUNT = 100;

export function loadScenario(text: string, source: string, locate?: LocateLine): Scenario {
  const counter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, lineCounter: counter });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw invalid(source, [`YAML: ${first?.message.split('\n')[0] ?? 'unparsable'}`]);
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml throws a ReferenceError for an alias bomb: bad input, not a crash.
    throw invalid(source, [`YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  const where = (path: readonly PropertyKey[]): string | undefined => {
    // Only where the file itself holds the field (not the base scenario it extends).
    if (!locate || path.length === 0 || !doc.hasIn([path[0]])) return undefined;
    const line = locate(doc, counter, path);
    return line === undefined ? undefined : `${source}:${line}`;
  };
  return parseScenario(withBase(data, source), source, where);
}

/** `base: reference` starts from the reference cluster; maps merge, lists and values replace. */
function withBase(data: unknown, source: string): unknown {
  if (!isPlainObject(data) || !('base' in data)) return data;
  const { base, ...rest } = data;
  if (base !== 'reference')
    throw invalid(source, [
      `base: unknown base scenario ${JSON.stringify(base)} (known: reference)`,
    ]);
  return merge(referenceScenarioInput(), rest);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function merge(base: unknown, over: unknown): unknown {
  if (!isPlainObject(base) || !isPlainObject(over)) return over === undefined ? base : over;
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = merge(base[k], v);
  return out;
}

interface Problem {
  path: PropertyKey[];
  message: string;
}

/** Validates already-parsed data (for scenarios built in code). */
export function parseScenario(
  data: unknown,
  source: string,
  where: (path: readonly PropertyKey[]) => string | undefined = () => undefined,
): Scenario {
  const result = scenarioSchema.safeParse(data);
  const problems: Problem[] = result.success
    ? crossCheck(result.data)
    : result.error.issues.map((i) => ({ path: [...i.path], message: i.message }));
  if (problems.length > 0 || !result.success)
    throw invalid(
      source,
      problems.map((p) => `${fieldPath(p.path)}: ${p.message}`),
      problems.map((p) => where(p.path)),
    );
  return result.data;
}

function invalid(
  source: string,
  problems: string[],
  lines: (string | undefined)[] = [],
): DroverError {
  const listed = problems.map((p, i) => `  - ${lines[i] ? `${lines[i]}: ` : ''}${p}`);
  return new DroverError(
    'input',
    'SCENARIO_INVALID',
    `Scenario ${source} is invalid:\n${listed.join('\n')}`,
    {
      hint: 'Fix the named fields; docs/scenarios.md describes the format and examples/ has samples.',
      details: { source, problems },
    },
  );
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

function crossCheck(s: Scenario): Problem[] {
  const problems: Problem[] = [];
  const add = (path: PropertyKey[], message: string) => problems.push({ path, message });
  const names = new Set<string>();
  const addresses = new Map<string, number>();
  const templateKeys = new Set(s.templates.map((t) => `${t.host}/${t.flavor}`));
  const knownPatch = (id: string) => s.patches[id] !== undefined;
  s.templates.forEach((t, i) => {
    if (!s.hosts.includes(t.host)) add(['templates', i, 'host'], `unknown host "${t.host}"`);
    if (s.schematics[t.schematic] === undefined)
      add(['templates', i, 'schematic'], `unknown schematic "${t.schematic}"`);
  });
  if (templateKeys.size !== s.templates.length)
    add(['templates'], 'a host has two templates of the same flavor');
  s.nodes.forEach((n, i) => {
    if (names.has(n.name)) add(['nodes', i, 'name'], `"${n.name}" is listed twice`);
    names.add(n.name);
    const first = addresses.get(n.address);
    if (first !== undefined)
      add(['nodes', i, 'address'], `${n.address} is also the address of nodes[${first}]`);
    else addresses.set(n.address, i);
    if (!s.hosts.includes(n.host)) add(['nodes', i, 'host'], `unknown host "${n.host}"`);
    if (!templateKeys.has(`${n.host}/${n.flavor}`))
      add(['nodes', i, 'flavor'], `no "${n.flavor}" template on host ${n.host}`);
    n.patches.forEach((p, j) => {
      if (!knownPatch(p)) add(['nodes', i, 'patches', j], `unknown patch "${p}"`);
    });
  });
  for (const set of ['global', 'controlplane', 'worker'] as const)
    s.patchSets[set].forEach((p, j) => {
      if (!knownPatch(p)) add(['patchSets', set, j], `unknown patch "${p}"`);
    });
  if (!s.nodes.some((n) => n.role === 'controlplane'))
    add(['nodes'], 'at least one controlplane node is required');
  for (const kind of ['deployments', 'statefulsets'] as const)
    s.workloads[kind].forEach((w, i) => {
      const room = s.nodes.filter((n) => placed(n, w.on)).length;
      if (w.spreadAcrossNodes && w.replicas > room)
        add(
          ['workloads', kind, i, 'replicas'],
          `${w.replicas} replicas spread across nodes, but only ${room} node(s) match "on: ${w.on}"`,
        );
    });
  const guarded = [...s.workloads.deployments, ...s.workloads.statefulsets]
    .filter((w) => w.pdb)
    .map((w) => `${w.namespace}/${w.name}`);
  s.faults.forEach((f, i) => {
    if ('node' in f && f.node !== undefined && !names.has(f.node))
      add(['faults', i, 'node'], `unknown node "${f.node}"`);
    const timing = f as FaultTiming;
    for (const t of timingProblems(timing)) add(['faults', i, ...t.path], t.message);
    if (timing.when?.node !== undefined && !names.has(timing.when.node))
      add(['faults', i, 'when', 'node'], `unknown node "${timing.when.node}"`);
    if (f.type === 'pdb-blocks' && !guarded.includes(`${f.namespace}/${f.name}`))
      add(['faults', i, 'name'], `no workload ${f.namespace}/${f.name} with a pdb in workloads`);
    if (f.type === 'etcd-unhealthy' || f.type === 'etcd-leader') {
      const node = s.nodes.find((n) => n.name === f.node);
      if (node && node.role !== 'controlplane')
        add(['faults', i, 'node'], `${f.node} is not a controlplane node`);
    }
  });
  return problems;
}

/** Nodes a workload's `on` places it on (as world/workloads.ts schedules it). */
function placed(n: ScenarioNode, on: string): boolean {
  if (on === 'all') return true;
  if (on === 'controlplane') return n.role === 'controlplane';
  if (on === 'osd') return n.osd;
  if (on === 'gpu') return n.gpu;
  return n.role === 'worker';
}
