/**
 * The real client-node adapter against the fake API server over a seeded KubeStore, with a
 * real-time clock (tests use short deadlines, never long sleeps).
 */
import { Redactor } from '../../src/core/redact.js';
import type { Clock } from '../../src/ports/clock.js';
import {
  createKubernetesAdapter,
  type KubernetesAdapter,
} from '../../src/adapters/kubernetes/adapter.js';
import {
  startFakeApiServer,
  type FakeApiServer,
} from '../../src/adapters/simulated/kube/http/server.js';
import { KubeStore } from '../../src/adapters/simulated/kube/store.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/** Retries and backoffs shrink so fault tests stay fast: real time divided by `factor`. */
export function fastClock(factor = 20): Clock {
  return {
    now: realClock.now,
    sleep: (ms, signal) => realClock.sleep(Math.ceil(ms / factor), signal),
  };
}

export interface Harness {
  store: KubeStore;
  server: FakeApiServer;
  adapter: KubernetesAdapter;
  redactor: Redactor;
  close(): Promise<void>;
}

export async function startHarness(
  seed: (store: KubeStore) => void = () => undefined,
  clock: Clock = fastClock(),
): Promise<Harness> {
  const store = new KubeStore(() => Date.now());
  seed(store);
  // The namespaces every cluster has: creates elsewhere answer 404 as NamespaceLifecycle does.
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease'])
    if (!store.get('namespaces', undefined, ns))
      store.create('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  // The server's clock is the adapter's: its watch cache ages events by it.
  const server = await startFakeApiServer({ store, now: () => clock.now() });
  const redactor = new Redactor();
  const adapter = createKubernetesAdapter({
    kubeconfigYaml: server.kubeconfigYaml,
    clock,
    redactor,
  });
  return {
    store,
    server,
    adapter,
    redactor,
    close: async () => {
      adapter.close();
      await server.close();
    },
  };
}

/** Resolves once `condition` holds, checking on every store change (no polling). */
export function storeReaches(store: KubeStore, condition: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (condition()) return resolve();
    const off = store.subscribe(() => {
      if (condition()) {
        off();
        resolve();
      }
    });
  });
}

/** Event-loop polling of in-process state only (never the API), bounded. */
export async function until(condition: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 5));
  }
}
