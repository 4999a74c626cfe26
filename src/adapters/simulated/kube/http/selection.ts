/**
 * Which objects a request selects: namespace, fieldSelector (only the fields the real server
 * supports for the resource, else 400 "field label not supported"), labelSelector; and list
 * pages (limit + continue, ordered by namespace/name as etcd keys are).
 */
import type { KubeObject } from '../store.js';
import { parseLabelSelector } from './label-selector.js';
import type { ResourceDef } from './resources.js';

export class SelectorError extends Error {}

export type Matcher = (object: KubeObject) => boolean;

const BOOLEAN_FIELDS = new Set(['spec.unschedulable', 'spec.hostNetwork']);

export function buildMatcher(resource: ResourceDef, query: URLSearchParams): Matcher {
  const fieldText = query.get('fieldSelector') ?? '';
  const labelText = query.get('labelSelector') ?? '';
  const fieldTests: Matcher[] = [];
  for (const raw of fieldText.split(',')) {
    const term = raw.trim();
    if (term === '') continue;
    const m = term.match(/^([^=!]+)(==|=|!=)(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${fieldText}'; can't understand '${term}'`);
    const [, field, op, value] = m as unknown as [string, string, string, string];
    if (
      field !== 'metadata.name' &&
      field !== 'metadata.namespace' &&
      !resource.fields.includes(field)
    ) {
      throw new SelectorError(`field label not supported: ${field}`);
    }
    fieldTests.push((o) => (fieldValue(o, field) === value) === (op !== '!='));
  }
  let labelTests;
  try {
    labelTests = parseLabelSelector(labelText);
  } catch (error) {
    throw new SelectorError((error as Error).message);
  }
  return (o) =>
    fieldTests.every((t) => t(o)) && labelTests.every((t) => t(o.metadata.labels ?? {}));
}

function fieldValue(object: KubeObject, path: string): string {
  if (path === 'status.podIPs') {
    const ips = object.status?.podIPs;
    return Array.isArray(ips) ? String((ips[0] as { ip?: string } | undefined)?.ip ?? '') : '';
  }
  let value: unknown = object;
  for (const part of path.split('.')) {
    value =
      value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
  }
  if (value === undefined || value === null) return BOOLEAN_FIELDS.has(path) ? 'false' : '';
  return String(value);
}

export function sortKey(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

export interface Page {
  items: KubeObject[];
  continueToken?: string;
  remaining?: number;
}

/**
 * Pages by key order. The token carries the last key returned; unlike etcd the next page reads
 * the current state rather than a snapshot at the first page's version.
 */
export function paginate(items: KubeObject[], query: URLSearchParams): Page {
  const sorted = [...items].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : 1));
  const token = query.get('continue');
  let start = 0;
  if (token) {
    let after: string;
    try {
      after = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { after: string })
        .after;
    } catch {
      throw new SelectorError('continue key is not valid: illegal base64 data');
    }
    start = sorted.findIndex((o) => sortKey(o) > after);
    if (start < 0) start = sorted.length;
  }
  const limit = Number(query.get('limit') ?? '0');
  if (!Number.isFinite(limit) || limit <= 0 || start + limit >= sorted.length) {
    return { items: sorted.slice(start) };
  }
  const items2 = sorted.slice(start, start + limit);
  const last = items2[items2.length - 1] as KubeObject;
  return {
    items: items2,
    continueToken: Buffer.from(JSON.stringify({ after: sortKey(last) })).toString('base64'),
    remaining: sorted.length - start - limit,
  };
}
