/**
 * Reads `terraform show -json` documents: the state's resources (walking child modules) and a
 * saved plan's resource changes. External JSON: validated as we go, with the field path on error.
 */
import { DroverError } from '../../core/errors.js';
import type { ResourceAction, ResourceChange } from '../../ports/infrastructure.js';
import { RESOURCE_ACTIONS } from '../../ports/infrastructure.js';
import { isRecord } from './json-stream.js';

export interface StateResource {
  address: string;
  mode: 'managed' | 'data';
  type: string;
  values: Record<string, unknown>;
}

/** Every resource in a `terraform show -json` state document; [] for an empty state. */
export function stateResources(document: unknown): StateResource[] {
  if (!isRecord(document)) throw malformed('the document is not a JSON object');
  const values = document.values;
  if (values === undefined) return [];
  if (!isRecord(values) || !isRecord(values.root_module)) {
    throw malformed('values.root_module is missing');
  }
  const out: StateResource[] = [];
  walkModule(values.root_module, 'values.root_module', out);
  return out;
}

function walkModule(module: Record<string, unknown>, path: string, out: StateResource[]): void {
  const resources = module.resources ?? [];
  if (!Array.isArray(resources)) throw malformed(`${path}.resources is not a list`);
  resources.forEach((r: unknown, i) => {
    if (!isRecord(r) || typeof r.address !== 'string') {
      throw malformed(`${path}.resources[${i}].address is missing`);
    }
    out.push({
      address: r.address,
      mode: r.mode === 'data' ? 'data' : 'managed',
      type: typeof r.type === 'string' ? r.type : '',
      values: isRecord(r.values) ? r.values : {},
    });
  });
  const children = module.child_modules ?? [];
  if (!Array.isArray(children)) throw malformed(`${path}.child_modules is not a list`);
  children.forEach((child: unknown, i) => {
    if (!isRecord(child)) throw malformed(`${path}.child_modules[${i}] is not an object`);
    walkModule(child, `${path}.child_modules[${i}]`, out);
  });
}

/**
 * The changes of a saved plan. No-ops are left out. An action Drover does not know (e.g. a
 * future Terraform's) fails loudly rather than being hidden from the scope check.
 */
export function planChanges(document: unknown): ResourceChange[] {
  if (!isRecord(document)) throw malformed('the plan document is not a JSON object');
  const list = document.resource_changes ?? [];
  if (!Array.isArray(list)) throw malformed('resource_changes is not a list');
  const changes: ResourceChange[] = [];
  list.forEach((entry: unknown, i) => {
    const path = `resource_changes[${i}]`;
    if (!isRecord(entry) || typeof entry.address !== 'string') {
      throw malformed(`${path}.address is missing`);
    }
    const change = entry.change;
    if (!isRecord(change) || !Array.isArray(change.actions)) {
      throw malformed(`${path}.change.actions is missing`);
    }
    const actions = change.actions.map((a: unknown, j) => {
      if (typeof a !== 'string' || !(RESOURCE_ACTIONS as readonly string[]).includes(a)) {
        throw new DroverError(
          'failed',
          'TF_PLAN_UNKNOWN_ACTION',
          `the plan has action ${JSON.stringify(a)} at ${path}.change.actions[${j}] (${entry.address}), which Drover does not know`,
          { hint: 'use a Terraform version Drover supports, or review this change by hand' },
        );
      }
      return a as ResourceAction;
    });
    if (actions.length === 1 && actions[0] === 'no-op') return;
    changes.push({ address: entry.address, actions });
  });
  return changes;
}

/** `type.name` of a resource instance address (module path and instance key dropped). */
export function typeAndNameOf(address: string): string {
  const match = /(?:^|\.)([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+)(?:\[[^\]]*\])?$/.exec(address);
  return match?.[1] ?? address;
}

/** The resources a saved plan creates, with their types (`resource_changes[].type`). */
export function plannedResources(document: unknown): { address: string; type: string }[] {
  const list = (document as { resource_changes?: unknown }).resource_changes;
  if (!Array.isArray(list)) return [];
  return list.flatMap((entry: unknown) => {
    const e = entry as {
      address?: unknown;
      type?: unknown;
      mode?: unknown;
      change?: { actions?: unknown };
    };
    const actions = Array.isArray(e.change?.actions) ? e.change.actions : [];
    if (typeof e.address !== 'string' || e.mode === 'data' || !actions.includes('create'))
      return [];
    return [{ address: e.address, type: typeof e.type === 'string' ? e.type : '' }];
  });
}

function malformed(what: string): DroverError {
  return new DroverError(
    'failed',
    'TF_JSON_INVALID',
    `unexpected terraform show -json output: ${what}`,
    {
      hint: 'check the Terraform version (Drover reads JSON format 1.x)',
    },
  );
}
