/**
 * PATCH: Content-Type dispatch as the real server does it (json-patch, merge-patch, strategic
 * merge for built-ins only; anything else, `application/json` included, is 415), then the same
 * write rules as PUT. A resourceVersion the patch sets acts as a precondition (409).
 */
import type { KubeObject, KubeStore } from '../store.js';
import { checkLease } from './lease-validation.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, PatchError } from './patch.js';
import { badRequest, notFound, statusFailure, type StatusResponse } from './status.js';
import { commitWrite, type Target } from './writes.js';

export function patchObject(
  store: KubeStore,
  t: Target,
  contentType: string,
  raw: string,
): StatusResponse {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const accepted = [
    'application/json-patch+json',
    'application/merge-patch+json',
    ...(t.def.custom ? [] : ['application/strategic-merge-patch+json']),
    'application/apply-patch+yaml',
  ];
  if (!accepted.includes(type)) {
    return statusFailure(
      415,
      'UnsupportedMediaType',
      `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
    );
  }
  if (type === 'application/apply-patch+yaml')
    return statusFailure(
      500,
      'InternalError',
      'server-side apply is not implemented by the fake API server',
    );
  let patch: unknown;
  try {
    patch = JSON.parse(raw);
  } catch (error) {
    return badRequest(`error decoding patch: ${(error as Error).message}`);
  }
  const current = store.get(t.def.key, t.namespace, t.name);
  if (!current) return notFound(t.def.key, t.name);
  let next: unknown;
  try {
    if (type === 'application/json-patch+json') next = applyJsonPatch(current, patch);
    else if (type === 'application/merge-patch+json') next = applyMergePatch(current, patch);
    else next = applyStrategicMergePatch(current, patch);
  } catch (error) {
    if (!(error instanceof PatchError)) throw error;
    return statusFailure(error.code, error.code === 400 ? 'BadRequest' : 'Invalid', error.message);
  }
  const result = next as KubeObject;
  // A resourceVersion the patch sets acts as a precondition.
  const rv = result.metadata?.resourceVersion;
  if (t.def.plural === 'leases') {
    const invalid = checkLease(result, t.name);
    if (invalid) return invalid;
  }
  return commitWrite(store, t, current, result, rv);
}
