/**
 * Loads a scenario: YAML, then the zod schema, then the cross-references the schema cannot
 * express (hosts, templates, schematics, patches and fault targets that must exist). Every
 * problem names its field path, e.g. `nodes[3].host`.
 */
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DroverError } from '../../../core/errors.js';
import { referenceScenarioInput } from './reference.js';
import { timingProblems, type FaultTiming } from './fault-timing.js';
import { scenarioSchema, type Scenario } from './schema.js';

export function loadScenario(text: string, source: string): Scenario {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    throw invalid(source, [`YAML: ${first?.message.split('\n')[0] ?? 'unparsable'}`]);
  }
  return parseScenario(withBase(doc.toJS() as unknown, source), source);
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

/** Validates already-parsed data (for scenarios built in code). */
export function parseScenario(data: unknown, source: string): Scenario {
  const result = scenarioSchema.safeParse(data);
  if (!result.success) throw invalid(source, result.error.issues.map(describeIssue));
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw invalid(source, problems);
  return result.data;
}

function invalid(source: string, problems: string[]): DroverError {
  return new DroverError(
    'input',
    'SCENARIO_INVALID',
    `Scenario ${source} is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
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

function describeIssue(issue: z.core.$ZodIssue): string {
  return `${fieldPath(issue.path)}: ${issue.message}`;
}

function crossCheck(s: Scenario): string[] {
  const problems: string[] = [];
  const names = new Set<string>();
  const templateKeys = new Set(s.templates.map((t) => `${t.host}/${t.flavor}`));
  const knownPatch = (id: string) => s.patches[id] !== undefined;
  s.templates.forEach((t, i) => {
    if (!s.hosts.includes(t.host)) problems.push(`templates[${i}].host: unknown host "${t.host}"`);
    if (s.schematics[t.schematic] === undefined)
      problems.push(`templates[${i}].schematic: unknown schematic "${t.schematic}"`);
  });
  if (templateKeys.size !== s.templates.length)
    problems.push('templates: a host has two templates of the same flavor');
  s.nodes.forEach((n, i) => {
    if (names.has(n.name)) problems.push(`nodes[${i}].name: "${n.name}" is listed twice`);
    names.add(n.name);
    if (!s.hosts.includes(n.host)) problems.push(`nodes[${i}].host: unknown host "${n.host}"`);
    if (!templateKeys.has(`${n.host}/${n.flavor}`))
      problems.push(`nodes[${i}].flavor: no "${n.flavor}" template on host ${n.host}`);
    n.patches.forEach((p, j) => {
      if (!knownPatch(p)) problems.push(`nodes[${i}].patches[${j}]: unknown patch "${p}"`);
    });
  });
  for (const set of ['global', 'controlplane', 'worker'] as const)
    s.patchSets[set].forEach((p, j) => {
      if (!knownPatch(p)) problems.push(`patchSets.${set}[${j}]: unknown patch "${p}"`);
    });
  if (!s.nodes.some((n) => n.role === 'controlplane'))
    problems.push('nodes: at least one controlplane node is required');
  const guarded = [...s.workloads.deployments, ...s.workloads.statefulsets]
    .filter((w) => w.pdb)
    .map((w) => `${w.namespace}/${w.name}`);
  s.faults.forEach((f, i) => {
    if ('node' in f && f.node !== undefined && !names.has(f.node))
      problems.push(`faults[${i}].node: unknown node "${f.node}"`);
    const timing = f as FaultTiming;
    problems.push(...timingProblems(timing, `faults[${i}]`));
    if (timing.when?.node !== undefined && !names.has(timing.when.node))
      problems.push(`faults[${i}].when.node: unknown node "${timing.when.node}"`);
    if (f.type === 'pdb-blocks' && !guarded.includes(`${f.namespace}/${f.name}`))
      problems.push(
        `faults[${i}].name: no workload ${f.namespace}/${f.name} with a pdb in workloads`,
      );
    if (f.type === 'etcd-unhealthy') {
      const node = s.nodes.find((n) => n.name === f.node);
      if (node && node.role !== 'controlplane')
        problems.push(`faults[${i}].node: ${f.node} is not a controlplane node`);
    }
  });
  return problems;
}
