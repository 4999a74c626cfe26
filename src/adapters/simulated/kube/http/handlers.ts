/**
 * Resource requests: get, list (selectors, pages), watch, create, replace, patch, delete, and
 * the pods/eviction subresource. Returns the answer to send, or undefined when the handler
 * wrote the response itself (a watch stream).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject, KubeStore } from '../store.js';
import { evictPod } from '../eviction.js';
import { groupVersion } from './resources.js';
import type { ResourcePath } from './routing.js';
import { buildMatcher, paginate, SelectorError, type Matcher } from './selection.js';
import {
  badRequest,
  methodNotAllowed,
  notFound,
  pathNotFound,
  statusFailure,
  tooLargeResourceVersion,
  type StatusResponse,
} from './status.js';
import { asTable, wantsTable } from './table.js';
import type { WatchHub } from './watch.js';
import { patchObject } from './patch-request.js';
import { createObject, deleteObject, replaceObject, type Target } from './writes.js';

export interface ResourceRequest {
  store: KubeStore;
  now: () => number;
  hub: WatchHub;
  req: IncomingMessage;
  res: ServerResponse;
  resource: ResourcePath;
  query: URLSearchParams;
  method: string;
  body: string;
}

export function handleResource(r: ResourceRequest): StatusResponse | undefined {
  return r.resource.name === undefined ? handleCollection(r) : handleNamed(r, r.resource.name);
}

/** A request on the collection (no name): create, list or watch. */
function handleCollection(r: ResourceRequest): StatusResponse | undefined {
  const { store, resource, query, method } = r;
  const { def, namespace } = resource;
  if (method === 'POST')
    return withBody(r.body, (body) => createObject(store, def, namespace, body));
  if (method !== 'GET') return methodNotAllowed();
  let matcher: Matcher;
  try {
    matcher = buildMatcher(def, query);
  } catch (error) {
    if (error instanceof SelectorError) return badRequest(error.message);
    throw error;
  }
  if (query.get('watch') === 'true' || query.get('watch') === '1') {
    const present = wantsTable(r.req.headers.accept ?? '', def)
      ? (o: KubeObject) => asTable(def, o as unknown as Record<string, unknown>, r.now())
      : undefined;
    r.hub.open(r.res, def, namespace, matcher, query, present);
    return undefined;
  }
  return listObjects(r, matcher);
}

/** LIST: one page of the matching objects, at the store's resourceVersion. */
function listObjects(r: ResourceRequest, matcher: Matcher): StatusResponse {
  const { store, query } = r;
  const { def, namespace } = r.resource;
  const ahead = aheadOfStore(store, query);
  if (ahead) return ahead;
  const listVersion = store.resourceVersion;
  let page;
  try {
    page = paginate(store.list(def.key, namespace).filter(matcher), query);
  } catch (error) {
    if (error instanceof SelectorError) return statusFailure(410, 'Expired', error.message);
    throw error;
  }
  const list = {
    kind: `${def.kind}List`,
    apiVersion: groupVersion(def),
    metadata: {
      resourceVersion: listVersion,
      ...(page.continueToken ? { continue: page.continueToken } : {}),
      ...(page.remaining !== undefined ? { remainingItemCount: page.remaining } : {}),
    },
    items: page.items,
  };
  const accept = r.req.headers.accept ?? '';
  return { code: 200, body: wantsTable(accept, def) ? asTable(def, list, r.now()) : list };
}

/** A request on one object (or its eviction or status subresource). */
function handleNamed(r: ResourceRequest, name: string): StatusResponse {
  const { store, query, method } = r;
  const { def, namespace, subresource } = r.resource;
  if (subresource === 'eviction') {
    if (def.plural !== 'pods' || method !== 'POST') return methodNotAllowed();
    return withBody(r.body, (body) => evictPod(store, namespace ?? '', name, body, r.now()));
  }
  if (subresource !== undefined && !(subresource === 'status' && def.statusSubresource)) {
    return pathNotFound();
  }
  const target: Target = { def, namespace, name, subresource };
  switch (method) {
    case 'GET': {
      const ahead = aheadOfStore(store, query);
      if (ahead) return ahead;
      const object = store.get(def.key, namespace, name);
      if (!object) return notFound(def.key, name);
      const accept = r.req.headers.accept ?? '';
      return { code: 200, body: wantsTable(accept, def) ? asTable(def, object, r.now()) : object };
    }
    case 'PUT':
      return withBody(r.body, (body) => replaceObject(store, target, body));
    case 'PATCH':
      return patchObject(store, target, String(r.req.headers['content-type'] ?? ''), r.body);
    case 'DELETE':
      return subresource ? methodNotAllowed() : deleteRequest(r, target);
    default:
      return methodNotAllowed();
  }
}

/**
 * DELETE: the grace period from DeleteOptions in the body when there is one, the query ignored
 * then; else from the query (apiserver pkg/endpoints/handlers/delete.go DeleteResource decodes
 * the body, or the query parameters only when the body is empty; kubernetes/kubernetes at
 * 02e16cb2).
 */
function deleteRequest(r: ResourceRequest, target: Target): StatusResponse {
  let grace: number | undefined;
  if (r.body.trim() !== '') {
    const parsed = parse(r.body);
    if (!parsed) return badRequest("couldn't get version/kind; json parse error: invalid JSON");
    if (typeof parsed.gracePeriodSeconds === 'number') grace = parsed.gracePeriodSeconds;
  } else {
    const fromQuery = r.query.get('gracePeriodSeconds');
    grace = fromQuery === null ? undefined : Number(fromQuery);
  }
  return deleteObject(r.store, target, grace, r.now());
}

/**
 * A LIST or GET at a resourceVersion the store has not reached: after the watch cache's wait
 * (cacher.go WaitUntilFreshAndList / WaitUntilFreshAndGet) the error is the HTTP answer itself.
 */
function aheadOfStore(store: KubeStore, query: URLSearchParams): StatusResponse | undefined {
  const asked = Number(query.get('resourceVersion') ?? '');
  const current = Number(store.resourceVersion);
  return Number.isInteger(asked) && asked > current
    ? tooLargeResourceVersion(asked, current)
    : undefined;
}

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function withBody(
  text: string,
  then: (body: Record<string, unknown>) => StatusResponse,
): StatusResponse {
  const body = parse(text);
  if (!body)
    return badRequest("couldn't get version/kind; json parse error: unexpected end of JSON input");
  return then(body);
}
