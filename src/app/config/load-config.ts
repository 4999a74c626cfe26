/**
 * Reads and validates drover.yaml: YAML syntax (with file:line), the schema (unknown keys are
 * errors), then the rules across fields, then the patch files. Every problem is reported at
 * once as `file:line: <field path>: <problem>`, so one edit fixes them all.
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument } from 'yaml';
import type { Document } from 'yaml';
import type { z } from 'zod';
import { DroverError } from '../../core/errors.js';
import type { Inventory } from '../../core/inventory.js';
import { DEFAULT_POLICY } from '../../core/policy.js';
import type { Policy } from '../../core/policy.js';
import type { ConfigProblem } from './check-config.js';
import { checkConfig } from './check-config.js';
import { formatPath, lineOf } from './field-path.js';
import type { PolicyOverrides } from './policy-schema.js';
import { ConfigSchema } from './schema.js';
import type { CustomGateConfig } from './gates-schema.js';
import type { DroverConfig } from './schema.js';
import { toInventory } from './to-inventory.js';
import { fastYamlValue } from './fast-yaml.js';
import { policyCapWarnings } from '../../core/policy-caps.js';

export interface LoadedConfig {
  /** Absolute path of the config file; relative paths inside it resolve against its directory. */
  path: string;
  dir: string;
  config: DroverConfig;
  inventory: Inventory;
  policy: Policy;
  customGates: CustomGateConfig[];
  /** The config's file paths, resolved against its directory. */
  paths: ResolvedPaths;
  /** Settings another setting caps (core/policy-caps): commands print them as warnings. */
  warnings: string[];
}

export interface ResolvedPaths {
  terraformDir: string;
  backupDir: string;
  journalFile: string;
  kubeconfig?: string;
  talosconfig?: string;
}

const HINT = 'Fix the fields listed above; the schema is in schema/drover.schema.json.';

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const path = resolve(file);
  const dir = dirname(path);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DroverError('input', 'CONFIG_NOT_FOUND', `cannot read the config file ${file}`, {
      cause: error,
      hint: 'Pass --config with the path of drover.yaml (drover init writes a starter).',
    });
  }

  // The fast reading first (fast-yaml.ts); the Document parser, which knows the line of every
  // node, only when there is something to report or the fast reading cannot vouch for the text.
  const fast = fastYamlValue(text);
  const checked = fast ? await checkedConfig(fast.value, dir) : undefined;
  const { config, inventory } =
    checked?.ok === true ? checked : await checkWithPositions(file, text, dir);

  const policy = mergePolicy(config.policy);
  return {
    path,
    dir,
    config,
    inventory,
    warnings: policyCapWarnings(
      policy,
      inventory.nodes.filter((n) => n.role === 'worker').length,
      new Set(Object.keys(config.policy.disruption ?? {})),
    ),
    policy,
    customGates: config.gates.custom,
    paths: resolvePaths(config, dir),
  };
}

interface CheckedConfig {
  config: DroverConfig;
  inventory: Inventory;
}

/** Schema, cross-field rules and inventory of a parsed config; problems without positions. */
async function checkedConfig(
  raw: unknown,
  dir: string,
): Promise<(CheckedConfig & { ok: true }) | { ok: false; problems: ConfigProblem[] }> {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success)
    return { ok: false, problems: parsed.error.issues.flatMap((i) => describeIssue(i, raw)) };
  const config = parsed.data;
  const crossProblems = checkConfig(config);
  if (crossProblems.length > 0) return { ok: false, problems: crossProblems };
  const { inventory, problems } = await toInventory(config, dir);
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config, inventory };
}

/** The Document parser's reading: every problem at its file:line, or the checked config. */
async function checkWithPositions(file: string, text: string, dir: string): Promise<CheckedConfig> {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const issues = doc.errors.map((e) => {
      const line = e.linePos?.[0]?.line;
      const message = (e.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      return `${file}${line ? `:${line}` : ''}: ${message}`;
    });
    throw invalid(file, issues, 'The file is not valid YAML; fix the syntax at the lines given.');
  }
  const checked = await checkedConfig(doc.toJS(), dir);
  if (!checked.ok)
    throw invalid(
      file,
      checked.problems.map((p) => at(file, doc, counter, p)),
      HINT,
    );
  return checked;
}

function resolvePaths(config: DroverConfig, dir: string): ResolvedPaths {
  const { kubeconfig } = config.kubernetes;
  const { talosconfig } = config.talos;
  return {
    terraformDir: resolve(dir, config.terraform.dir),
    backupDir: resolve(dir, config.backup.localDir),
    journalFile: resolve(dir, config.journal.file),
    ...(kubeconfig === undefined ? {} : { kubeconfig: resolve(dir, kubeconfig) }),
    ...(talosconfig === undefined ? {} : { talosconfig: resolve(dir, talosconfig) }),
  };
}

export function mergePolicy(overrides: PolicyOverrides): Policy {
  return {
    drain: { ...DEFAULT_POLICY.drain, ...overrides.drain },
    disruption: { ...DEFAULT_POLICY.disruption, ...overrides.disruption },
    timeouts: { ...DEFAULT_POLICY.timeouts, ...overrides.timeouts },
    retry: { ...DEFAULT_POLICY.retry, ...overrides.retry },
    cephNoout: overrides.cephNoout ?? DEFAULT_POLICY.cephNoout,
  };
}

/** One zod issue as problems; unknown keys become one problem per key, at the key's own path. */
function describeIssue(issue: z.core.$ZodIssue, raw: unknown): ConfigProblem[] {
  const path = issue.path as (string | number)[];
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: [...path, key], message: 'unknown key (typo?)' }));
  }
  if (issue.code === 'invalid_type') {
    const value = valueAt(raw, path);
    if (value === undefined) return [{ path, message: `is required (${issue.expected})` }];
    return [{ path, message: `must be ${issue.expected}, not ${typeName(value)}` }];
  }
  return [{ path, message: issue.message.replace(/^Invalid input: /, '') }];
}

function valueAt(raw: unknown, path: readonly (string | number)[]): unknown {
  let value = raw;
  for (const key of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function at(file: string, doc: Document, counter: LineCounter, problem: ConfigProblem): string {
  const line = lineOf(doc, counter, problem.path);
  return `${file}${line ? `:${line}` : ''}: ${formatPath(problem.path)}: ${problem.message}`;
}

function invalid(file: string, issues: string[], hint: string): DroverError {
  const list = issues.map((i) => `  - ${i}`).join('\n');
  return new DroverError(
    'input',
    'CONFIG_INVALID',
    `${file} is not a valid Drover config:\n${list}`,
    {
      hint,
      details: { file, issues },
    },
  );
}
