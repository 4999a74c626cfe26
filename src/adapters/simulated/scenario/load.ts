/**
 * Loads a scenario: YAML, then the zod schema, then the cross-references the schema cannot
 * express (cross-check.ts: hosts, templates, schematics, patches and fault targets that must
 * exist). Every problem names its field path, e.g. `nodes[3].host`.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { DroverError } from '../../../core/errors.js';
import { referenceScenarioInput } from './reference.js';
import { crossCheck, type Problem } from './cross-check.js';
import { scenarioSchema, type Scenario } from './schema.js';

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
