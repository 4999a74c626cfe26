/**
 * Every operation the simulated cluster is asked to do is reported to the world, before it acts
 * and once it returned: that is what faults are keyed to (`when: { request: replace-vm, node:
 * k8s-work-2 }`), never the engine's step names. The ports are wrapped here, in one place, so a
 * method another port gains later still works (it passes through unreported until listed).
 * After a crash fault fired, nothing the dead process asked for acts or returns any more.
 */
import { isInside } from '../../../core/terraform-address.js';
import { isNodeBound } from '../../../engine/drain.js';
import type {
  InfrastructurePlan,
  InfrastructurePort,
  KubernetesPort,
  PodRef,
  ReadOptions,
  PodView,
  StateBackupPort,
  StoragePort,
  TalosPort,
} from '../../../ports/index.js';
import type { Operation } from '../scenario/fault-timing.js';
import { isCordoned } from './nodes.js';
import { R } from './objects.js';
import type { World } from './world.js';

type Method = (...args: never[]) => unknown;
/** For a method: the operation and node of a call, or undefined when the call is not reported. */
type Describe = (...args: never[]) =>
  | {
      operation: Operation;
      node: string | undefined;
      /** Further nodes the same call acts on (a multi-target apply): reported alike. */
      also?: string[];
      signal?: AbortSignal | undefined;
    }
  | undefined;

/** Operations an abort must let finish (invariant run-to-completion): they change machines and state. */
const RUN_TO_COMPLETION: ReadonlySet<Operation> = new Set([
  'replace-vm',
  'rebuild-template',
  'talos-upgrade',
  'k8s-upgrade',
]);

const frozen = new Promise<never>(() => undefined);

/** Wraps `port` so the listed methods report before/after to the world; others pass through. */
function reporting<T extends object>(
  world: World,
  port: T,
  describe: Partial<Record<keyof T, Describe>>,
): T {
  return new Proxy(port, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      const what = describe[prop as keyof T];
      const method = (value as Method).bind(target);
      if (!what) return method;
      return async (...args: never[]) => {
        const request = what(...args);
        if (!request) return method(...args);
        if (world.crashed) return frozen;
        const nodes = [request.node, ...(request.also ?? [])];
        for (const node of nodes)
          if (!world.crashed) world.requested(request.operation, node, 'before');
        if (world.crashed) return frozen;
        try {
          return await method(...args);
        } catch (error) {
          if (request.signal?.aborted && RUN_TO_COMPLETION.has(request.operation))
            world.violation(
              'run-to-completion',
              `${request.operation}${request.node ? ` of ${request.node}` : ''} was cut off by an abort before it finished`,
            );
          throw error;
        } finally {
          for (const node of nodes)
            if (!world.crashed) world.requested(request.operation, node, 'after');
          // The process died while the operation ran: its caller never learns the outcome.
          // eslint-disable-next-line no-unsafe-finally
          if (world.crashed) return frozen;
        }
      };
    },
  });
}

function nodeAt(world: World, address: string): string | undefined {
  return world.nodeByAddress(address)?.name;
}

function podNode(world: World, pod: PodRef): string | undefined {
  const obj = world.store.getView(R.pods, pod.namespace, pod.name);
  const spec = obj?.spec as { nodeName?: string } | undefined;
  return spec?.nodeName;
}

/** A replacement of every node the plan reaches (a batch: several), else a template rebuild. */
function applyRequest(world: World, plan: InfrastructurePlan) {
  const [node, ...also] = world.context.inventory.nodes.filter((n) =>
    plan.changes.some((c) => n.terraformAddresses.some((m) => isInside(c.address, m))),
  );
  return node
    ? { operation: 'replace-vm' as const, node: node.name, also: also.map((n) => n.name) }
    : { operation: 'rebuild-template' as const, node: undefined };
}

export function reportingInfrastructure(world: World, port: InfrastructurePort) {
  return reporting(world, port, {
    plan: () => ({ operation: 'terraform-plan', node: undefined }),
    apply: ((plan: InfrastructurePlan, signal?: AbortSignal) => ({
      ...applyRequest(world, plan),
      signal,
    })) as Describe,
  });
}

export function reportingTalos(world: World, port: TalosPort) {
  return reporting(world, port, {
    etcdLeave: ((node: string) => ({
      operation: 'etcd-leave',
      node: nodeAt(world, node),
    })) as Describe,
    etcdRemoveMember: ((via: string) => ({
      operation: 'etcd-remove-member',
      node: nodeAt(world, via),
    })) as Describe,
    etcdStatus: () => ({ operation: 'etcd-status', node: undefined }),
    probe: ((address: string) => ({
      operation: 'wait-maintenance',
      node: nodeAt(world, address),
    })) as Describe,
    applyConfig: ((address: string) => ({
      operation: 'apply-config',
      node: nodeAt(world, address),
    })) as Describe,
    upgrade: ((node: string, options: { signal?: AbortSignal }) => ({
      operation: 'talos-upgrade',
      node: nodeAt(world, node),
      signal: options.signal,
    })) as Describe,
    upgradeKubernetes: ((options: { dryRun?: boolean; signal?: AbortSignal }) =>
      options.dryRun
        ? undefined
        : { operation: 'k8s-upgrade', node: undefined, signal: options.signal }) as Describe,
  });
}

export function reportingStateBackup(world: World, port: StateBackupPort) {
  return reporting(world, port, {
    // The engine names a backup after what it is for: `<cluster>/<time>-<node>.tfstate`.
    put: ((key: string) => ({
      operation: 'backup-state',
      node: world.context.inventory.nodes.find((n) => key.endsWith(`-${n.name}.tfstate`))?.name,
    })) as Describe,
  });
}

export function reportingStorage(world: World, port: StoragePort) {
  return reporting(world, port, {
    setNoout: ((_domain: string, on: boolean) => ({
      operation: on ? 'storage-noout-set' : 'storage-noout-unset',
      node: undefined,
    })) as Describe,
  });
}

/**
 * The Kubernetes port (in memory, or the real client against the fake API server): cordon,
 * uncordon, evictions, and the drain as a whole: it starts when the node's pods are listed
 * while it is cordoned and ends when they are gone (at once, when nothing is to be evicted).
 */
export function reportingKubernetes(world: World, port: KubernetesPort): KubernetesPort {
  const draining = new Map<string, string>();
  const wrapped = reporting(world, port, {
    cordon: ((name: string) => ({ operation: 'cordon', node: name })) as Describe,
    uncordon: ((name: string) => ({ operation: 'uncordon', node: name })) as Describe,
    evictPod: ((pod: PodRef) => ({ operation: 'evict', node: podNode(world, pod) })) as Describe,
    deletePod: ((pod: PodRef) => ({ operation: 'evict', node: podNode(world, pod) })) as Describe,
  });
  return new Proxy(wrapped, {
    get(target, prop, receiver) {
      if (prop === 'listPodsOnNode')
        return async (node: string, ...read: [ReadOptions?]) => {
          const obj = world.store.getView(R.nodes, undefined, node);
          const cordoned = obj !== undefined && isCordoned(obj);
          if (cordoned && !world.crashed) world.requested('drain', node, 'before');
          const pods = await target.listPodsOnNode(node, ...read);
          if (!cordoned || world.crashed) return pods;
          if (pods.some((p) => !isNodeBound(p) && !p.deleting)) draining.set(node, node);
          else world.requested('drain', node, 'after');
          return pods;
        };
      if (prop === 'waitForPodsGone')
        return async (
          pods: PodView[],
          options: Parameters<KubernetesPort['waitForPodsGone']>[1],
        ) => {
          await target.waitForPodsGone(pods, options);
          const node = pods.map((p) => p.nodeName).find((n) => n !== undefined && draining.has(n));
          if (node !== undefined && !world.crashed) {
            draining.delete(node);
            world.requested('drain', node, 'after');
          }
          if (world.crashed) return frozen;
        };
      return Reflect.get(target, prop, receiver) as unknown;
    },
  });
}
