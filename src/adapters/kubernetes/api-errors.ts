/**
 * Turns client-node failures into DroverErrors once. client-node 1.x throws ApiException with
 * `code` and the body as raw text (undefined on 401); Watch raises a plain Error with
 * `.statusCode`; the network layer raises FetchError (ECONNRESET, ECONNREFUSED, ...).
 * 5xx, connection failures and 429s without a DisruptionBudget cause are transient.
 */
import { DroverError } from '../../core/errors.js';
import type { Redactor } from '../../core/redact.js';

export interface ApiStatus {
  code: number | undefined;
  reason: string | undefined;
  message: string;
  causes: { reason?: string; message?: string; field?: string }[];
  retryAfterSeconds: number | undefined;
  network: boolean;
}

const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

export function apiStatus(error: unknown): ApiStatus {
  const e = (error ?? {}) as {
    code?: unknown;
    statusCode?: unknown;
    body?: unknown;
    headers?: Record<string, string>;
    message?: string;
    errno?: unknown;
    type?: string;
    name?: string;
  };
  const httpCode =
    typeof e.code === 'number'
      ? e.code
      : typeof e.statusCode === 'number'
        ? e.statusCode
        : undefined;
  let body: Record<string, unknown> = {};
  if (typeof e.body === 'string') {
    try {
      body = JSON.parse(e.body) as Record<string, unknown>;
    } catch {
      body = { message: e.body };
    }
  } else if (e.body && typeof e.body === 'object') body = e.body as Record<string, unknown>;
  const details = (body.details ?? {}) as {
    causes?: ApiStatus['causes'];
    retryAfterSeconds?: number;
  };
  const header = e.headers?.['retry-after'] ?? e.headers?.['Retry-After'];
  const retryAfter = header !== undefined ? Number(header) : details.retryAfterSeconds;
  const networkCode =
    typeof e.code === 'string' ? e.code : typeof e.errno === 'string' ? e.errno : '';
  const network =
    httpCode === undefined &&
    (NETWORK_CODES.has(networkCode) ||
      e.type === 'system' ||
      e.name === 'FetchError' ||
      /socket hang up|ECONNRESET|ECONNREFUSED|other side closed/i.test(e.message ?? ''));
  return {
    code: httpCode,
    reason: typeof body.reason === 'string' ? body.reason : undefined,
    message: typeof body.message === 'string' ? body.message : (e.message ?? String(error)),
    causes: Array.isArray(details.causes) ? details.causes : [],
    retryAfterSeconds:
      retryAfter !== undefined && Number.isFinite(retryAfter) ? retryAfter : undefined,
    network,
  };
}

export function isDisruptionBudgetRefusal(s: ApiStatus): boolean {
  return s.code === 429 && s.causes.some((c) => c.reason === 'DisruptionBudget');
}

export function isTransient(s: ApiStatus): boolean {
  if (s.network) return true;
  if (s.code === undefined) return false;
  if (s.code === 429) return !isDisruptionBudgetRefusal(s);
  // A pod under two PDBs is a 500 the server will repeat forever.
  if (s.code === 500 && /more than one PodDisruptionBudget/.test(s.message)) return false;
  return s.code >= 500;
}

/** Which cluster a call went to: named in every error, so a wrong or dead endpoint shows. */
export interface ApiOrigin {
  /** The kubeconfig file (or where it came from: in-cluster, inline). */
  kubeconfig: string;
  /** The current context's server URL. */
  server: string;
}

/** The DroverError for a failed call; `operation` says what was attempted (e.g. `GET node w-1`). */
export function toDroverError(
  error: unknown,
  operation: string,
  redactor?: Redactor,
  origin?: ApiOrigin,
): DroverError {
  if (error instanceof DroverError) return error;
  const s = apiStatus(error);
  const transient = isTransient(s);
  const what =
    s.code !== undefined ? `HTTP ${s.code}${s.reason ? ` ${s.reason}` : ''}` : 'no answer';
  const clean = (text: string) => (redactor ? redactor.redact(text) : text);
  const at = origin ? ` at ${origin.server} (kubeconfig ${origin.kubeconfig})` : '';
  const unreachable =
    s.network && origin
      ? `Nothing answered at ${origin.server}: check the server of the kubeconfig ${origin.kubeconfig} (and --context), and that the API server is up and reachable from here.`
      : undefined;
  return new DroverError(
    'failed',
    s.code === 401 || s.code === 403
      ? 'KUBE_FORBIDDEN'
      : transient
        ? 'KUBE_UNAVAILABLE'
        : 'KUBE_REQUEST_FAILED',
    clean(`Kubernetes API${at}: ${operation} failed (${what}): ${s.message}`),
    {
      cause: error,
      hint:
        s.code === 401 || s.code === 403
          ? 'Check the kubeconfig credentials and that the ClusterRole in docs/kubernetes.md is bound to them.'
          : unreachable
            ? unreachable
            : transient
              ? 'The API server did not answer; Drover retries reads, check the control plane if it persists.'
              : 'See the server message; the request was refused as sent.',
      details: {
        operation,
        ...(s.code !== undefined ? { status: s.code } : {}),
        ...(s.reason ? { reason: s.reason } : {}),
        ...(origin ? { server: origin.server, kubeconfig: origin.kubeconfig } : {}),
      },
    },
  );
}
