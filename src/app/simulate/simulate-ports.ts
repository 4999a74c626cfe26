/**
 * The seam where `drover simulate` gets its ports: the simulated cluster's in-process ports by
 * default. `--api http` (the real @kubernetes/client-node against the simulated cluster's fake
 * API server) plugs in here: build that KubernetesPort and pass it as `kubernetes`.
 */
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import { createHttpKubernetesPort } from '../../adapters/simulated/kube/http/http-port.js';
import type { Redactor } from '../../core/redact.js';
import { LeaseLock } from '../../adapters/kubernetes/lease-lock.js';
import { holdingRequests } from './held-requests.js';
import type { HoldingClock } from './held-requests.js';
import type {
  JournalStore,
  KubernetesPort,
  Ports,
  Reporter,
  SilencePort,
} from '../../ports/index.js';

export const SIMULATE_APIS = ['memory', 'http'] as const;
export type SimulateApi = (typeof SIMULATE_APIS)[number];

export interface SimulatePortsInput {
  cluster: SimulatedCluster;
  journal: JournalStore;
  reporter: Reporter;
  api: SimulateApi;
  redactor: Redactor;
  /** Alertmanager silences (the real adapter, against a loopback Alertmanager in tests). */
  silences?: SilencePort;
}

/** Kubernetes API requests the run made, when it went over HTTP. */
export interface ApiRequestStats {
  total: number;
  byKind: Record<string, number>;
}

export interface SimulatePorts {
  ports: Ports;
  /** Present with --api http: what the fake API server was asked. */
  apiRequests?: () => ApiRequestStats;
  close(): Promise<void>;
}

export async function buildSimulatePorts(input: SimulatePortsInput): Promise<SimulatePorts> {
  const { cluster } = input;
  let kubernetes: KubernetesPort = cluster.ports.kubernetes;
  let apiRequests: SimulatePorts['apiRequests'];
  let close = async () => {};
  if (input.api === 'http') {
    const http = await createHttpKubernetesPort({
      store: cluster.store,
      clock: cluster.clock,
      now: () => cluster.clock.now(),
      redactor: input.redactor,
      reachable: () => cluster.apiEndpointReachable(),
    });
    // The fake API server's clients report what they ask, as the in-memory port does.
    kubernetes = cluster.reportRequests(http.port);
    if ('hold' in cluster.clock)
      kubernetes = holdingRequests(kubernetes, cluster.clock as HoldingClock);
    apiRequests = () => ({
      total: http.server.totalRequests(),
      byKind: http.server.requestCounts(),
    });
    close = () => http.close();
  }
  return {
    ports: {
      ...cluster.ports,
      kubernetes,
      journal: input.journal,
      reporter: input.reporter,
      lock: new LeaseLock({ kubernetes, clock: cluster.clock }),
      ...(input.silences ? { silences: input.silences } : {}),
    },
    ...(apiRequests ? { apiRequests } : {}),
    close,
  };
}
