/**
 * The `--api http` seam: the fake API server over the simulated cluster's KubeStore and the
 * real client-node adapter talking to it, so a simulated run exercises the real client end to
 * end. The server's token is registered with the Redactor when one is given.
 */
import type { Redactor } from '../../../../core/redact.js';
import type { Clock } from '../../../../ports/clock.js';
import type { KubernetesPort } from '../../../../ports/kubernetes.js';
import { createKubernetesAdapter } from '../../../kubernetes/adapter.js';
import type { KubeStore } from '../store.js';
import { startFakeApiServer } from './server.js';

export async function createHttpKubernetesPort(options: {
  store: KubeStore;
  clock: Clock;
  now: () => number;
  redactor?: Redactor;
  /** False while the API endpoint is gone (its node replaced): see FakeApiFaults.unreachable. */
  reachable?: () => boolean;
}): Promise<{
  port: KubernetesPort;
  server: { url: string; totalRequests(): number; requestCounts(): Record<string, number> };
  close(): Promise<void>;
}> {
  const reachable = options.reachable;
  const server = await startFakeApiServer({
    store: options.store,
    now: options.now,
    // Watches close at their timeoutSeconds and get bookmarks in simulated time, as a real
    // server's would over an upgrade that takes hours.
    after: (ms, fire) => {
      const cancel = new AbortController();
      options.clock.sleep(ms, cancel.signal).then(fire, () => undefined);
      return () => cancel.abort();
    },
    ...(reachable ? { faults: { unreachable: () => !reachable() } } : {}),
  });
  options.redactor?.add(server.droverToken);
  options.redactor?.add(server.token);
  const adapter = createKubernetesAdapter({
    kubeconfigYaml: server.kubeconfigYaml,
    clock: options.clock,
    redactor: options.redactor,
  });
  return {
    port: adapter,
    server,
    close: async () => {
      adapter.close();
      await server.close();
    },
  };
}
