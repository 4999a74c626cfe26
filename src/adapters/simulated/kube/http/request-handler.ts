/**
 * One request to the fake API server, in the order kube-apiserver's filter chain takes it:
 * injected faults, authentication (health and version answer anyone), authorization, then the
 * review, health, version, discovery or resource handler.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeStore } from '../store.js';
import { discovery, versionInfo } from './discovery.js';
import { dropsConnection, injectedFailure, type FakeApiFaults } from './fault-injection.js';
import { handleResource } from './handlers.js';
import {
  allowed,
  authenticate,
  forbidden,
  requestAttributes,
  unauthorized,
  type FakeUser,
} from './rbac.js';
import { answerReview, isReviewPath } from './reviews.js';
import { parseResourcePath, requestKind } from './routing.js';
import { methodNotAllowed, pathNotFound, statusFailure, type StatusResponse } from './status.js';
import type { WatchHub } from './watch.js';

export interface ServerState {
  store: KubeStore;
  now: () => number;
  faults: FakeApiFaults;
  hub: WatchHub;
  /** Bearer token -> identity. */
  users: ReadonlyMap<string, FakeUser>;
  /** host:port the server listens on (discovery documents name it). */
  address: () => string;
  /** Counts one request of this kind (see requestKind). */
  count: (kind: string) => void;
}

const OPEN_PATHS = new Set(['/readyz', '/livez', '/healthz', '/version']);
const HEALTH_PATHS = new Set(['/readyz', '/livez', '/healthz']);

/** The node:http request listener: reads the whole body, then answers (500 if handling throws). */
export function requestListener(state: ServerState) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handleRequest(state, req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!res.headersSent)
          sendStatus(
            res,
            statusFailure(500, 'InternalError', `Internal error occurred: ${String(error)}`),
          );
        else res.destroy();
      });
    });
  };
}

async function handleRequest(
  state: ServerState,
  req: IncomingMessage,
  res: ServerResponse,
  raw: Buffer,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = req.method ?? 'GET';
  state.count(requestKind(method, url.pathname, url.searchParams));
  if (dropsConnection(state.faults, url.pathname)) {
    req.socket.destroy();
    return;
  }
  if (state.faults.slowMs) await new Promise((r) => setTimeout(r, state.faults.slowMs));
  const injected = injectedFailure(state.faults, url.pathname);
  if (injected) return sendStatus(res, injected.answer, injected.headers);
  // Health and version answer anyone (probes); everything else needs a known bearer token
  // (kubectl sends one only over https: the kubectl tests serve TLS).
  const user = authenticate(state.users, req.headers.authorization);
  if (!OPEN_PATHS.has(url.pathname) && !user) return sendStatus(res, unauthorized());
  const review = isReviewPath(url.pathname);
  if (review && user) {
    if (method !== 'POST') return sendStatus(res, methodNotAllowed());
    const contentType = String(req.headers['content-type'] ?? '');
    return sendStatus(res, answerReview(review, user, raw, contentType));
  }
  const resource = parseResourcePath(url.pathname);
  if (user) {
    const attrs = requestAttributes(method, url, resource);
    if (!allowed(user, attrs)) return sendStatus(res, forbidden(user, attrs));
  }
  if (HEALTH_PATHS.has(url.pathname)) {
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
    return void res.end('ok');
  }
  if (url.pathname === '/version')
    return sendStatus(res, { code: 200, body: versionInfo(state.store) });
  if (!resource) {
    const doc = method === 'GET' ? discovery(url.pathname, state.address()) : undefined;
    return sendStatus(res, doc ? { code: 200, body: doc } : pathNotFound());
  }
  const answer = handleResource({
    store: state.store,
    now: state.now,
    hub: state.hub,
    req,
    res,
    resource,
    query: url.searchParams,
    method,
    body: raw.toString('utf8'),
  });
  if (answer) sendStatus(res, answer);
}

/** Writes a Status (or object) answer as JSON, with Retry-After when its details carry one. */
function sendStatus(res: ServerResponse, s: StatusResponse, headers: Record<string, string> = {}) {
  const retry = (s.body.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
  res.writeHead(s.code, {
    'Content-Type': 'application/json',
    ...(retry ? { 'Retry-After': String(retry) } : {}),
    ...headers,
  });
  res.end(JSON.stringify(s.body));
}
