/**
 * metav1.Status bodies as the real API server writes them (kind Status, apiVersion v1 in every
 * group; details.kind is the resource plural). Shared by the fake server and the store-level
 * operations (eviction, pod deletion) so both answer with the same bytes.
 */
export interface StatusResponse {
  code: number;
  body: Record<string, unknown>;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  causes?: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds?: number;
}

export function statusFailure(
  code: number,
  reason: string | undefined,
  message: string,
  details?: StatusDetails,
): StatusResponse {
  const body: Record<string, unknown> = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message,
  };
  if (reason) body.reason = reason;
  if (details && Object.keys(details).length > 0) body.details = details;
  body.code = code;
  return { code, body };
}

/**
 * A read at a resourceVersion the store has not reached, after the watch cache's 3 s wait:
 * apiserver pkg/storage/errors.go NewTooLargeResourceVersionError over apimachinery's
 * NewTimeoutError ("Timeout: " prefix, 504, reason Timeout), retry after 1 s (watch_cache.go
 * resourceVersionTooHighRetrySeconds = 1). kubernetes/kubernetes staging/src/k8s.io/apiserver,
 * pkg/storage/cacher at 68afedf6.
 */
export function tooLargeResourceVersion(requested: number, current: number): StatusResponse {
  return statusFailure(
    504,
    'Timeout',
    `Timeout: Too large resource version: ${requested}, current: ${current}`,
    {
      causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
      retryAfterSeconds: 1,
    },
  );
}

export function statusSuccess(code: number): StatusResponse {
  return {
    code,
    body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code },
  };
}

/** `<plural>` for core, `<plural>.<group>` otherwise, as names appear in messages. */
export function qualifiedResource(resource: string): {
  text: string;
  group?: string;
  kind: string;
} {
  const slash = resource.indexOf('/');
  if (slash < 0) return { text: resource, kind: resource };
  const group = resource.slice(0, slash);
  const kind = resource.slice(slash + 1);
  return { text: `${kind}.${group}`, group, kind };
}

export function notFound(resource: string, name: string): StatusResponse {
  const q = qualifiedResource(resource);
  return statusFailure(404, 'NotFound', `${q.text} "${name}" not found`, {
    name,
    ...(q.group ? { group: q.group } : {}),
    kind: q.kind,
  });
}

export function badRequest(message: string): StatusResponse {
  return statusFailure(400, 'BadRequest', message);
}

/** 405 for a method the resource (or subresource) does not serve. */
export function methodNotAllowed(): StatusResponse {
  return statusFailure(
    405,
    'MethodNotAllowed',
    'the server does not allow this method on the requested resource',
  );
}

/** 404 for a path that names no resource, subresource or discovery document. */
export function pathNotFound(): StatusResponse {
  return statusFailure(404, 'NotFound', 'the server could not find the requested resource');
}
