/**
 * The seam where `drover simulate` gets its ports: the simulated cluster's in-process ports by
 * default. `--api http` (the real @kubernetes/client-node against the simulated cluster's fake
 * API server) plugs in here: build that KubernetesPort and pass it as `kubernetes`.
 */
import { DroverError } from '../../core/errors.js';
import type { SimulatedCluster } from '../../adapters/simulated/index.js';
import { LeaseLock } from '../../engine/lease-lock.js';
import type { JournalStore, KubernetesPort, Ports, Reporter } from '../../ports/index.js';

export const SIMULATE_APIS = ['memory', 'http'] as const;
export type SimulateApi = (typeof SIMULATE_APIS)[number];

export interface SimulatePortsInput {
  cluster: SimulatedCluster;
  journal: JournalStore;
  reporter: Reporter;
  api: SimulateApi;
  /** A Kubernetes port to use instead of the in-process one (the --api http client). */
  kubernetes?: KubernetesPort;
}

export async function buildSimulatePorts(input: SimulatePortsInput): Promise<Ports> {
  const { cluster } = input;
  let kubernetes = input.kubernetes ?? cluster.ports.kubernetes;
  if (input.api === 'http' && input.kubernetes === undefined) {
    kubernetes = await httpKubernetes(cluster);
  }
  return {
    ...cluster.ports,
    kubernetes,
    journal: input.journal,
    reporter: input.reporter,
    lock: new LeaseLock({ kubernetes, clock: cluster.clock }),
  };
}

/** Not wired yet: the lead connects the fake API server and the real client here. */
async function httpKubernetes(_cluster: SimulatedCluster): Promise<KubernetesPort> {
  throw new DroverError(
    'usage',
    'API_HTTP_UNAVAILABLE',
    '--api http is not available in this build yet',
    {
      hint: 'Run without --api (the in-process simulated Kubernetes API).',
    },
  );
}
