/**
 * KubernetesPort over the KubeStore, with a real API server's semantics: eviction and deletion
 * through the same store-level functions the fake HTTP server uses, waits driven by store events
 * (no polling) with deadlines on the virtual clock.
 */
import { DroverError } from '../../../core/errors.js';
import type {
  EvictionResult,
  HelmReleaseStatus,
  KubernetesPort,
  LeaseRecord,
  NodeView,
  PodRef,
  PodView,
  StorageHealth,
  WaitOptions,
  WorkloadStatus,
} from '../../../ports/kubernetes.js';
import { evictPod } from '../kube/eviction.js';
import { deletePod, podPhase, podReady } from '../kube/pods.js';
import { leaseSpec, toLease, toNodeView, toPodView } from './kube-views.js';
import { StoreError, type StoreEvent } from '../kube/store.js';
import { R } from '../world/objects.js';
import type { World } from '../world/world.js';

function waitTimeout(what: string, ms: number): DroverError {
  return new DroverError(
    'failed',
    'WAIT_TIMEOUT',
    `timed out after ${Math.round(ms / 1000)}s waiting for ${what}`,
    {
      details: { timeoutMs: ms },
    },
  );
}

function apiError(
  status: { code: number; body: Record<string, unknown> },
  what: string,
): DroverError {
  const message =
    typeof status.body.message === 'string' ? status.body.message : `HTTP ${status.code}`;
  return new DroverError('failed', `KUBE_${status.code}`, `${what}: ${message}`, {
    details: {
      status: status.code,
      reason: status.body.reason,
      transient: status.code >= 500 || status.code === 429,
    },
  });
}

export class SimulatedKubernetesPort implements KubernetesPort {
  constructor(private readonly world: World) {}

  private get store() {
    return this.world.store;
  }

  async getNode(name: string): Promise<NodeView | undefined> {
    const obj = this.store.getView(R.nodes, undefined, name);
    return obj ? toNodeView(obj) : undefined;
  }

  async listNodes(): Promise<NodeView[]> {
    return this.store.listView(R.nodes).map(toNodeView);
  }

  async cordon(name: string): Promise<void> {
    await this.setUnschedulable(name, true);
  }

  async uncordon(name: string): Promise<void> {
    await this.setUnschedulable(name, false);
  }

  private async setUnschedulable(name: string, on: boolean): Promise<void> {
    this.world.failIfScripted(on ? 'cordon' : 'uncordon', name);
    await this.world.clock.sleep(this.world.ms(on ? 'cordon' : 'uncordon'));
    try {
      this.store.mutate(R.nodes, undefined, name, (n) => {
        const spec = (n.spec ??= {});
        if (on) spec.unschedulable = true;
        else delete spec.unschedulable;
      });
    } catch (error) {
      if (error instanceof StoreError && error.code === 404)
        throw new DroverError('failed', 'NODE_NOT_FOUND', `nodes "${name}" not found`, {
          cause: error,
        });
      throw error;
    }
  }

  waitForNode(
    name: string,
    predicate: (node: NodeView | undefined) => boolean,
    options: WaitOptions,
  ): Promise<NodeView | undefined> {
    const read = () => {
      const obj = this.store.getView(R.nodes, undefined, name);
      return obj ? toNodeView(obj) : undefined;
    };
    return this.waitFor(
      `node ${name}`,
      (e) => e === undefined || (e.resource === R.nodes && e.object.metadata.name === name),
      () => {
        const view = read();
        return predicate(view) ? { value: view } : undefined;
      },
      options,
    );
  }

  async listPodsOnNode(nodeName: string): Promise<PodView[]> {
    return this.store
      .listView(R.pods)
      .filter((p) => p.spec?.nodeName === nodeName)
      .map(toPodView);
  }

  async evictPod(pod: PodRef): Promise<EvictionResult> {
    this.world.failIfScripted('drain', this.podNode(pod));
    const body = {
      apiVersion: 'policy/v1',
      kind: 'Eviction',
      metadata: { name: pod.name, namespace: pod.namespace },
      ...(pod.uid ? { deleteOptions: { preconditions: { uid: pod.uid } } } : {}),
    };
    if (pod.uid) {
      const current = this.store.getView(R.pods, pod.namespace, pod.name);
      if (current && current.metadata.uid !== pod.uid) return { outcome: 'gone' };
    }
    const result = evictPod(this.store, pod.namespace, pod.name, body, this.world.now);
    if (result.code === 201 || result.code === 200) return { outcome: 'evicted' };
    if (result.code === 404) return { outcome: 'gone' };
    if (result.code === 429) {
      const details = (result.body.details ?? {}) as {
        causes?: { message?: string }[];
        retryAfterSeconds?: number;
      };
      return {
        outcome: 'blocked',
        reason: details.causes?.[0]?.message ?? String(result.body.message ?? 'TooManyRequests'),
        ...(details.retryAfterSeconds ? { retryAfterSeconds: details.retryAfterSeconds } : {}),
      };
    }
    throw apiError(result, `evicting ${pod.namespace}/${pod.name}`);
  }

  private podNode(pod: PodRef): string | undefined {
    const obj = this.store.getView(R.pods, pod.namespace, pod.name);
    return typeof obj?.spec?.nodeName === 'string' ? obj.spec.nodeName : undefined;
  }

  async deletePod(pod: PodRef, gracePeriodSeconds?: number): Promise<void> {
    if (pod.uid) {
      const current = this.store.getView(R.pods, pod.namespace, pod.name);
      if (current && current.metadata.uid !== pod.uid) return;
    }
    const result = deletePod(
      this.store,
      pod.namespace,
      pod.name,
      gracePeriodSeconds,
      this.world.now,
    );
    if (result.code >= 300 && result.code !== 404)
      throw apiError(result, `deleting ${pod.namespace}/${pod.name}`);
  }

  waitForPodsGone(pods: PodRef[], options: WaitOptions): Promise<void> {
    const gone = (p: PodRef) => {
      const obj = this.store.getView(R.pods, p.namespace, p.name);
      return !obj || (p.uid !== undefined && obj.metadata.uid !== p.uid);
    };
    return this.waitFor(
      `${pods.length} pod(s) to terminate`,
      (e) => e === undefined || e.resource === R.pods,
      () => (pods.every(gone) ? { value: undefined } : undefined),
      options,
    );
  }

  async deploymentStatus(namespace: string, name: string): Promise<WorkloadStatus | undefined> {
    const d = this.store.getView(R.deployments, namespace, name);
    if (!d) return undefined;
    const rsUids = this.store
      .listView(R.replicasets, namespace)
      .filter((rs) => rs.metadata.ownerReferences?.some((r) => r.uid === d.metadata.uid))
      .map((rs) => rs.metadata.uid);
    const status = (d.status ?? {}) as { availableReplicas?: number };
    return {
      namespace,
      name,
      desired: Number(d.spec?.replicas ?? 0),
      available: status.availableReplicas ?? 0,
      readyNodes: this.readyNodes(namespace, rsUids),
    };
  }

  async daemonSetStatus(namespace: string, name: string): Promise<WorkloadStatus | undefined> {
    const ds = this.store.getView(R.daemonsets, namespace, name);
    if (!ds) return undefined;
    const status = (ds.status ?? {}) as {
      desiredNumberScheduled?: number;
      numberAvailable?: number;
    };
    return {
      namespace,
      name,
      desired: status.desiredNumberScheduled ?? 0,
      available: status.numberAvailable ?? 0,
      readyNodes: this.readyNodes(namespace, [ds.metadata.uid]),
    };
  }

  private readyNodes(namespace: string, ownerUids: string[]): string[] {
    const nodes = this.store
      .listView(R.pods, namespace)
      .filter((p) => p.metadata.ownerReferences?.some((r) => ownerUids.includes(r.uid)))
      .filter(
        (p) => podReady(p) && !p.metadata.deletionTimestamp && typeof p.spec?.nodeName === 'string',
      )
      .map((p) => String(p.spec?.nodeName));
    return [...new Set(nodes)].sort();
  }

  async cephHealth(): Promise<StorageHealth | undefined> {
    const cluster = this.store.listView(R.cephclusters)[0];
    const health = (cluster?.status?.ceph as { health?: string } | undefined)?.health;
    return health === 'HEALTH_OK' || health === 'HEALTH_WARN' || health === 'HEALTH_ERR'
      ? health
      : undefined;
  }

  async helmReleases(): Promise<HelmReleaseStatus[]> {
    return this.store.listView(R.helmreleases).map((hr) => {
      const conditions = (hr.status?.conditions ?? []) as {
        type?: string;
        status?: string;
        reason?: string;
      }[];
      const ready = conditions.find((c) => c.type === 'Ready');
      const observed = (hr.status as { observedGeneration?: number } | undefined)
        ?.observedGeneration;
      return {
        namespace: hr.metadata.namespace ?? '',
        name: hr.metadata.name,
        ready: ready?.status === 'True' && observed === (hr.metadata.generation ?? 1),
        reason: ready?.reason ?? 'Unknown',
      };
    });
  }

  async problemPods(): Promise<PodView[]> {
    return this.store
      .listView(R.pods)
      .filter((p) => {
        const phase = podPhase(p);
        return phase !== 'Running' && phase !== 'Succeeded';
      })
      .map(toPodView);
  }

  async getResource(
    apiVersion: string,
    plural: string,
    namespace: string | undefined,
    name: string,
  ): Promise<Record<string, unknown> | undefined> {
    const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
    const resource = group === '' ? plural : `${group}/${plural}`;
    return this.store.get(resource, namespace, name);
  }

  async apiServerReady(): Promise<boolean> {
    // The API server answers when at least one control plane machine runs and etcd has quorum.
    const members = this.world.state.etcd;
    const healthy = members.filter((m) => m.healthy && this.world.vmRunning(m.node)).length;
    return healthy > members.length / 2;
  }

  async getLease(namespace: string, name: string): Promise<LeaseRecord | undefined> {
    const obj = this.store.getView(R.leases, namespace, name);
    return obj ? toLease(obj) : undefined;
  }

  async createLease(lease: Omit<LeaseRecord, 'resourceVersion'>): Promise<LeaseRecord> {
    try {
      const created = this.store.create(R.leases, {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name: lease.name, namespace: lease.namespace },
        spec: leaseSpec(lease),
      });
      return toLease(created);
    } catch (error) {
      if (error instanceof StoreError && error.code === 409)
        throw new DroverError('failed', 'LEASE_CONFLICT', error.message, { cause: error });
      throw error;
    }
  }

  async updateLease(lease: LeaseRecord): Promise<LeaseRecord> {
    const current = this.store.getView(R.leases, lease.namespace, lease.name);
    if (!current)
      throw new DroverError(
        'failed',
        'LEASE_CONFLICT',
        `leases.coordination.k8s.io "${lease.name}" not found`,
      );
    try {
      const updated = this.store.update(
        R.leases,
        { ...current, spec: leaseSpec(lease) },
        { expectedResourceVersion: lease.resourceVersion },
      );
      return toLease(updated);
    } catch (error) {
      if (error instanceof StoreError && error.code === 409)
        throw new DroverError('failed', 'LEASE_CONFLICT', error.message, { cause: error });
      throw error;
    }
  }

  /** Resolves once `check` yields, re-checking on every matching store event; deadline on the clock. */
  private waitFor<T>(
    what: string,
    relevant: (e: StoreEvent | undefined) => boolean,
    check: () => { value: T } | undefined,
    options: WaitOptions,
  ): Promise<T> {
    const first = check();
    if (first) return Promise.resolve(first.value);
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    return new Promise<T>((resolve, reject) => {
      const timer = new AbortController();
      const finish = (fn: () => void) => {
        unsubscribe();
        timer.abort();
        options.signal?.removeEventListener('abort', onAbort);
        fn();
      };
      const unsubscribe = this.store.subscribe((event) => {
        if (!relevant(event)) return;
        const hit = check();
        if (hit) finish(() => resolve(hit.value));
      });
      const onAbort = () => finish(() => reject(options.signal?.reason));
      options.signal?.addEventListener('abort', onAbort, { once: true });
      this.world.clock.sleep(options.timeoutMs, timer.signal).then(
        () => {
          const hit = check();
          finish(() => (hit ? resolve(hit.value) : reject(waitTimeout(what, options.timeoutMs))));
        },
        () => undefined,
      );
    });
  }
}

export { microTime, toNodeView, toPodView } from './kube-views.js';
