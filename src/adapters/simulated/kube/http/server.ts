/**
 * The fake Kubernetes API server: node:http on 127.0.0.1, serving a KubeStore with the REST
 * subset Drover and kubectl use, bearer-token auth, and injectable faults (N failures on a path
 * prefix, connection resets, slow answers, watches dropped mid-stream). Every answer is
 * `Content-Type: application/json` (health checks excepted, text/plain as the real server).
 */
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { KubeStore } from '../store.js';
import { watchFaults, type FakeApiFaults } from './fault-injection.js';
import { fakeKubeconfigYaml } from './kubeconfig.js';
import { fakeUsers } from './rbac.js';
import { requestListener } from './request-handler.js';
import { WatchHub, type WatchHubOptions } from './watch.js';

export type { FakeApiFaults } from './fault-injection.js';

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
  const users = fakeUsers(token, droverToken);
  const requests = requestCounter();
  const hub = new WatchHub(store, {
    ...watchFaults(faults),
    ...(options.after ? { after: options.after } : {}),
    now,
  });
  let address = '';

  const onRequest = requestListener({
    store,
    now,
    faults,
    hub,
    users,
    address: () => address,
    count: requests.count,
  });
  const server = options.tls
    ? createTlsServer({ key: options.tls.key, cert: options.tls.cert }, onRequest)
    : createServer(onRequest);
  const port = await listen(server);
  address = `127.0.0.1:${port}`;
  const url = `${options.tls ? 'https' : 'http'}://${address}`;
  return {
    url,
    token,
    droverToken,
    kubeconfigYaml: fakeKubeconfigYaml(url, droverToken),
    adminKubeconfigYaml: fakeKubeconfigYaml(url, token),
    faults,
    requestCounts: requests.counts,
    totalRequests: requests.total,
    dropWatches: () => hub.dropAll(),
    openWatches: () => hub.openCount,
    close: async () => {
      hub.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Listens on a free port of 127.0.0.1; resolves with the port. */
async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** The requests served, by kind (routing.ts requestKind) and in all. */
function requestCounter() {
  const counts: Record<string, number> = {};
  let total = 0;
  return {
    count: (kind: string): void => {
      counts[kind] = (counts[kind] ?? 0) + 1;
      total += 1;
    },
    counts: (): Record<string, number> => ({ ...counts }),
    total: (): number => total,
  };
}
