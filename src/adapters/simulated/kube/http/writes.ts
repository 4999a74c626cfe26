/**
 * POST, PUT, PATCH and DELETE with the registry's rules: AlreadyExists and Conflict Statuses,
 * 422 for a PUT without resourceVersion where unconditional updates are not allowed (Leases,
 * custom resources), create-on-update for Leases, status subresource separation.
 */
import type { KubeObject, KubeStore } from '../store.js';
import { StoreError } from '../store.js';
import { deletePod } from '../pods.js';
import { checkLease } from './lease-validation.js';
import { groupVersion, type ResourceDef } from './resources.js';
import {
  badRequest,
  notFound,
  qualifiedResource,
  statusFailure,
  type StatusResponse,
} from './status.js';

export interface Target {
  def: ResourceDef;
  namespace: string | undefined;
  name: string;
  subresource: 'status' | undefined;
}

const ok = (code: number, body: unknown): StatusResponse => ({
  code,
  body: body as Record<string, unknown>,
});

export function storeFailure(error: unknown, def: ResourceDef, name: string): StatusResponse {
  if (!(error instanceof StoreError)) throw error;
  const q = qualifiedResource(def.key);
  const details = { name, ...(q.group ? { group: q.group } : {}), kind: q.kind };
  return statusFailure(error.code, error.reason, error.message, details);
}

export function createObject(
  store: KubeStore,
  def: ResourceDef,
  namespace: string | undefined,
  body: Record<string, unknown>,
): StatusResponse {
  const metadata = { ...((body.metadata ?? {}) as Record<string, unknown>) };
  if (namespace !== undefined) {
    if (metadata.namespace !== undefined && metadata.namespace !== namespace) {
      return badRequest(
        'the namespace of the provided object does not match the namespace sent on the request',
      );
    }
    metadata.namespace = namespace;
  }
  if (typeof metadata.name !== 'string' || metadata.name === '') {
    if (typeof metadata.generateName !== 'string')
      return statusFailure(
        422,
        'Invalid',
        `${def.kind}.${def.group || 'core'} "" is invalid: metadata.name: Required value: name or generateName is required`,
      );
    metadata.name = `${metadata.generateName}${Math.random().toString(36).slice(2, 7)}`;
  }
  const name = metadata.name as string;
  if (def.plural === 'leases') {
    const invalid = checkLease(body, name);
    if (invalid) return invalid;
  }
  // NamespaceLifecycle admission: nothing is created in a namespace that does not exist.
  if (namespace !== undefined && !store.get('namespaces', undefined, namespace))
    return notFound('namespaces', namespace);
  delete metadata.resourceVersion;
  delete metadata.uid;
  delete metadata.deletionTimestamp;
  try {
    return ok(
      201,
      store.create(def.key, {
        ...body,
        ...(def.plural === 'pods' ? { status: createdPodStatus(body) } : {}),
        apiVersion: groupVersion(def),
        kind: def.kind,
        metadata: { ...metadata, name },
      }),
    );
  } catch (error) {
    return storeFailure(error, def, name);
  }
}

export function replaceObject(
  store: KubeStore,
  t: Target,
  body: Record<string, unknown>,
): StatusResponse {
  const metadata = (body.metadata ?? {}) as Record<string, unknown>;
  if (metadata.name !== t.name) {
    return badRequest(
      `the name of the object (${String(metadata.name ?? '')}) does not match the name on the URL (${t.name})`,
    );
  }
  if (t.def.plural === 'leases') {
    const invalid = checkLease(body, t.name);
    if (invalid) return invalid;
  }
  const current = store.get(t.def.key, t.namespace, t.name);
  if (!current) {
    if (t.def.createOnUpdate && t.subresource === undefined)
      return createObject(store, t.def, t.namespace, body);
    return notFound(t.def.key, t.name);
  }
  const rv = typeof metadata.resourceVersion === 'string' ? metadata.resourceVersion : '';
  if (rv === '' && !t.def.unconditionalUpdate) {
    const q = qualifiedResource(t.def.key);
    const cause = {
      reason: 'FieldValueInvalid',
      message: 'Invalid value: 0x0: must be specified for an update',
      field: 'metadata.resourceVersion',
    };
    return statusFailure(
      422,
      'Invalid',
      `${q.text} "${t.name}" is invalid: metadata.resourceVersion: ${cause.message}`,
      {
        name: t.name,
        ...(q.group ? { group: q.group } : {}),
        kind: q.kind,
        causes: [cause],
      },
    );
  }
  return commitWrite(store, t, current, body as KubeObject, rv === '' ? undefined : rv);
}

/** Writes `incoming` over `current` with the status-subresource and generation rules. */
export function commitWrite(
  store: KubeStore,
  t: Target,
  current: KubeObject,
  incoming: KubeObject,
  expectedRv: string | undefined,
): StatusResponse {
  let next: KubeObject;
  if (t.subresource === 'status') next = { ...current, status: incoming.status };
  else {
    next = {
      ...incoming,
      apiVersion: current.apiVersion,
      kind: current.kind,
      metadata: { ...incoming.metadata, name: t.name, namespace: current.metadata.namespace },
    } as KubeObject;
    if (t.def.statusSubresource) next.status = current.status;
    if (current.metadata.deletionTimestamp)
      next.metadata.deletionTimestamp = current.metadata.deletionTimestamp;
    else delete next.metadata.deletionTimestamp;
  }
  const specChanged = JSON.stringify(next.spec) !== JSON.stringify(current.spec);
  try {
    const stored = store.update(t.def.key, next, {
      expectedResourceVersion: expectedRv,
      bumpGeneration: t.subresource === undefined && specChanged,
    });
    return ok(200, stored);
  } catch (error) {
    return storeFailure(error, t.def, t.name);
  }
}

export function deleteObject(
  store: KubeStore,
  t: Target,
  grace: number | undefined,
  nowMs: number,
): StatusResponse {
  if (t.def.plural === 'pods') return deletePod(store, t.namespace ?? '', t.name, grace, nowMs);
  try {
    const gone = store.delete(t.def.key, t.namespace, t.name);
    const q = qualifiedResource(t.def.key);
    return ok(200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: {
        name: t.name,
        ...(q.group ? { group: q.group } : {}),
        kind: q.kind,
        uid: gone.metadata.uid,
      },
    });
  } catch (error) {
    return storeFailure(error, t.def, t.name);
  }
}

/**
 * A created pod's status is the server's, whatever the client sent: Pending with its QoS class
 * (k8s pkg/registry/core/pod/strategy.go PrepareForCreate; pkg/apis/core/helper/qos GetPodQOS).
 */
function createdPodStatus(body: Record<string, unknown>): Record<string, unknown> {
  type Resources = { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  const spec = (body.spec ?? {}) as {
    containers?: { resources?: Resources }[];
    initContainers?: { resources?: Resources }[];
  };
  const all = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].map(
    (c) => c.resources ?? {},
  );
  const any = all.some(
    (r) => Object.keys(r.requests ?? {}).length > 0 || Object.keys(r.limits ?? {}).length > 0,
  );
  const guaranteed =
    all.length > 0 &&
    all.every((r) =>
      ['cpu', 'memory'].every(
        (k) =>
          r.limits?.[k] !== undefined &&
          (r.requests?.[k] === undefined || String(r.requests[k]) === String(r.limits[k])),
      ),
    );
  return {
    phase: 'Pending',
    qosClass: !any ? 'BestEffort' : guaranteed ? 'Guaranteed' : 'Burstable',
  };
}
