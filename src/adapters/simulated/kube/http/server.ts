/**
 * The fake Kubernetes API server: node:http on 127.0.0.1, serving a KubeStore with the REST
 * subset Drover and kubectl use, bearer-token auth, and injectable faults (N failures on a path
 * prefix, connection resets, slow answers, watches dropped mid-stream). Every answer is
 * `Content-Type: application/json` (health checks excepted, text/plain as the real server).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { KubeStore } from '../store.js';
import { discovery, versionInfo } from './discovery.js';
import { fakeKubeconfigYaml } from './kubeconfig.js';
import { parseResourcePath, requestKind } from './routing.js';
import { handleResource } from './handlers.js';
import { statusFailure, type StatusResponse } from './status.js';
import { WatchHub, type WatchHubOptions } from './watch.js';
import {
  allowed,
  CLUSTER_ADMIN,
  DROVER_CLUSTER_ROLE,
  forbidden,
  requestVerb,
  unauthorized,
  type FakeUser,
  type RequestAttributes,
} from './rbac.js';
import { answerReview, isReviewPath } from './reviews.js';

export interface FakeApiFaults {
  /** The next `count` requests whose path starts with `pathPrefix` answer `status`. */
  failNextRequests?: { pathPrefix: string; status: number; count: number }[];
  /** The next `count` matching requests have their connection destroyed without an answer. */
  resetNextRequests?: { pathPrefix: string; count: number }[];
  /** Every answer is delayed this long (real time). */
  slowMs?: number;
  /** Every watch stream is closed by the server after this many events. */
  dropWatchesAfterEvents?: number;
  /** The next `count` watches are half-open: accepted, then nothing, never closed. */
  halfOpenWatches?: number;
  /** Real ms between BOOKMARK events on watches that asked for them (default 60 000). */
  bookmarkEveryMs?: number;
  /**
   * While this answers true the endpoint is gone (the node behind it is being replaced): new
   * connections are dropped and open watches go half-open.
   */
  unreachable?: () => boolean;
}

export interface FakeApiServer {
  url: string;
  /** Drover's identity: the ClusterRole of docs/kubernetes.md, nothing more. */
  kubeconfigYaml: string;
  /** Its bearer token (a secret: register it with a Redactor). */
  droverToken: string;
  /** A cluster-admin kubeconfig and token, for tests that arrange the world. */
  adminKubeconfigYaml: string;
  token: string;
  /** Mutable: tests add faults while the server runs. */
  faults: FakeApiFaults;
  requestCounts(): Record<string, number>;
  totalRequests(): number;
  /** Ends every open watch now, as if the server had closed them; returns how many. */
  dropWatches(): number;
  openWatches(): number;
  close(): Promise<void>;
}

const OPEN_PATHS = new Set(['/readyz', '/livez', '/healthz', '/version']);
const REASONS: Record<number, string> = {
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

export async function startFakeApiServer(options: {
  store: KubeStore;
  now: () => number;
  faults?: FakeApiFaults;
  /** Serve https with this key and certificate (kubectl sends tokens only over TLS). */
  tls?: { key: string; cert: string };
  /** Timers of watches (timeoutSeconds, bookmarks): WatchHubOptions.after. */
  after?: WatchHubOptions['after'];
}): Promise<FakeApiServer> {
  const { store, now } = options;
  const faults: FakeApiFaults = options.faults ?? {};
  const token = randomBytes(24).toString('hex');
  const droverToken = randomBytes(24).toString('hex');
  const users = new Map<string, FakeUser>([
    [token, { name: 'kubernetes-admin', binding: 'cluster-admin', rules: CLUSTER_ADMIN }],
    [
      droverToken,
      {
        name: 'system:serviceaccount:kube-system:drover',
        binding: 'drover',
        rules: DROVER_CLUSTER_ROLE,
      },
    ],
  ]);
  const counts: Record<string, number> = {};
  let total = 0;
  const hub = new WatchHub(store, {
    dropAfterEvents: () => faults.dropWatchesAfterEvents,
    takeHalfOpen: () => {
      if (!faults.halfOpenWatches) return false;
      faults.halfOpenWatches -= 1;
      return true;
    },
    bookmarkEveryMs: () => faults.bookmarkEveryMs ?? 60_000,
    unreachable: () => faults.unreachable?.() ?? false,
    ...(options.after ? { after: options.after } : {}),
    now,
  });
  let address = '';

  const send = (res: ServerResponse, s: StatusResponse, headers: Record<string, string> = {}) => {
    const retry = (s.body.details as { retryAfterSeconds?: number } | undefined)?.retryAfterSeconds;
    res.writeHead(s.code, {
      'Content-Type': 'application/json',
      ...(retry ? { 'Retry-After': String(retry) } : {}),
      ...headers,
    });
    res.end(JSON.stringify(s.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: Buffer) => {
    const body = raw.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    const kind = requestKind(method, url.pathname, url.searchParams);
    counts[kind] = (counts[kind] ?? 0) + 1;
    total += 1;
    if (faults.unreachable?.()) {
      req.socket.destroy();
      return;
    }
    const reset = faults.resetNextRequests?.find(
      (f) => f.count > 0 && url.pathname.startsWith(f.pathPrefix),
    );
    if (reset) {
      reset.count -= 1;
      req.socket.destroy();
      return;
    }
    if (faults.slowMs) await new Promise((r) => setTimeout(r, faults.slowMs));
    const fail = faults.failNextRequests?.find(
      (f) => f.count > 0 && url.pathname.startsWith(f.pathPrefix),
    );
    if (fail) {
      fail.count -= 1;
      const s = statusFailure(fail.status, REASONS[fail.status], 'injected fault');
      return send(res, s, fail.status === 429 ? { 'Retry-After': '1' } : {});
    }
    // Health and version answer anyone (probes); everything else needs a known bearer token
    // (kubectl sends one only over https: the kubectl tests serve TLS).
    const auth = req.headers.authorization;
    const user = auth?.startsWith('Bearer ') ? users.get(auth.slice(7)) : undefined;
    if (!OPEN_PATHS.has(url.pathname) && !user) return send(res, unauthorized());
    const review = isReviewPath(url.pathname);
    if (review && user) {
      if (method !== 'POST')
        return send(
          res,
          statusFailure(
            405,
            'MethodNotAllowed',
            'the server does not allow this method on the requested resource',
          ),
        );
      return send(res, answerReview(review, user, raw, String(req.headers['content-type'] ?? '')));
    }
    const resource = parseResourcePath(url.pathname);
    if (user) {
      const watch =
        url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      const attrs: RequestAttributes = resource
        ? {
            kind: 'resource',
            verb: requestVerb(method, resource.name !== undefined, watch),
            group: resource.def.group,
            resource: resource.def.plural,
            subresource: resource.subresource,
            namespace: resource.namespace,
            name: resource.name,
          }
        : { kind: 'path', verb: method.toLowerCase(), path: url.pathname };
      if (!allowed(user, attrs)) return send(res, forbidden(user, attrs));
    }
    if (url.pathname === '/readyz' || url.pathname === '/livez' || url.pathname === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return res.end('ok');
    }
    if (url.pathname === '/version') return send(res, { code: 200, body: versionInfo(store) });
    if (!resource) {
      const doc = method === 'GET' ? discovery(url.pathname, address) : undefined;
      if (doc) return send(res, { code: 200, body: doc });
      return send(
        res,
        statusFailure(404, 'NotFound', 'the server could not find the requested resource'),
      );
    }
    const answer = handleResource({
      store,
      now,
      hub,
      req,
      res,
      resource,
      query: url.searchParams,
      method,
      body,
    });
    if (answer) send(res, answer);
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks)).catch((error: unknown) => {
        if (!res.headersSent)
          send(
            res,
            statusFailure(500, 'InternalError', `Internal error occurred: ${String(error)}`),
          );
        else res.destroy();
      });
    });
  };
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createServer(onRequest);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  address = `127.0.0.1:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://${address}`;
  return {
    url,
    token,
    droverToken,
    kubeconfigYaml: fakeKubeconfigYaml(url, droverToken),
    adminKubeconfigYaml: fakeKubeconfigYaml(url, token),
    faults,
    requestCounts: () => ({ ...counts }),
    totalRequests: () => total,
    dropWatches: () => hub.dropAll(),
    openWatches: () => hub.openCount,
    close: async () => {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
