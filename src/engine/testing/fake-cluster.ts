/**
 * A small, strict in-memory cluster for engine tests (the full simulated cluster lives in
 * adapters/simulated; the engine may not import it). VMs have provider ids; destroying one
 * takes its node and etcd member down; a fresh VM answers in maintenance mode, then Ready at
 * the template's version once configured. It records invariant breaches it can see.
 */
import { createHash } from 'node:crypto';
import { DroverError } from '../../core/errors.js';
import type { Inventory, InventoryNode } from '../../core/inventory.js';
import { DEFAULT_POLICY } from '../../core/policy.js';
import type { Policy } from '../../core/policy.js';
import type {
  InfrastructurePlan,
  ResourceChange,
  LeaseRecord,
  NodeView,
  PodRef,
  PodView,
  Ports,
  ProgressEvent,
} from '../../ports/index.js';
import { MemoryJournalForTests } from './memory-journal.js';
import { FakeClock } from './fake-clock.js';
// eslint-disable-next-line no-restricted-imports -- FakeCluster leaves with issue 14's one twin
import { LeaseLock } from '../../adapters/kubernetes/lease-lock.js';

export const FROM = '1.10.8';
export const TO = '1.11.0';

interface VmState {
  id: number;
  configured: boolean;
  bootedAt: number;
  version: string;
}

export interface FakeFaults {
  /** operation -> failures left, transient. */
  transient?: Record<string, number>;
  /** operation -> always fails (not transient). */
  broken?: Set<string>;
  /** Extra address the next plans touch. */
  planExtra?: string;
  /** Addresses answering x509 after replacement (old VM still there). */
  x509?: Set<string>;
  /** Pods whose eviction is always refused. */
  pdbBlocked?: Set<string>;
  /** etcd members (hostnames) that never answer healthy. */
  etcdUnhealthy?: Set<string>;
  /** Nodes that never become Ready after replacement. */
  neverReady?: Set<string>;
}

export function testInventory(): Inventory {
  const node = (
    name: string,
    role: 'controlplane' | 'worker',
    host: string,
    extra: Partial<InventoryNode> = {},
  ): InventoryNode => ({
    name,
    role,
    host,
    address: `10.0.0.${name.length}${name.slice(-1)}`,
    terraformAddresses: [
      role === 'controlplane'
        ? `module.control_plane_nodes["${name}"]`
        : `module.worker_nodes["${name}"]`,
    ],
    template: `${host}-base`,
    schematic: 'base',
    platform: 'nocloud',
    patches: ['global'],
    machineConfig: role,
    gpu: false,
    ...extra,
  });
  return {
    cluster: 'test',
    nodes: [
      node('cp-1', 'controlplane', 'a'),
      node('cp-2', 'controlplane', 'b'),
      node('cp-3', 'controlplane', 'a'),
      node('w-1', 'worker', 'a', { storage: { osd: true } }),
      node('w-2', 'worker', 'b', {
        storage: { osd: true },
        gpu: true,
        template: 'b-gpu',
        patches: ['global', 'gpu'],
      }),
      node('w-3', 'worker', 'b', { storage: { osd: true } }),
    ],
    templates: {
      'a-base': { address: 'module.template_a_base', host: 'a', flavor: 'base', schematic: 'base' },
      'b-base': { address: 'module.template_b_base', host: 'b', flavor: 'base', schematic: 'base' },
      'b-gpu': { address: 'module.template_b_gpu', host: 'b', flavor: 'gpu', schematic: 'gpu' },
    },
    patches: {
      global: { id: 'global', content: 'machine:\n  sysctls:\n    a: "1"\n' },
      gpu: { id: 'gpu', content: 'machine:\n  kernel:\n    modules:\n      - name: nvidia\n' },
    },
    machineConfigs: {
      controlplane: { kind: 'inline-test', ref: 'cp' },
      worker: { kind: 'inline-test', ref: 'w' },
    },
    expectedEtcdMembers: 3,
  };
}

export const SECRET = 'super-secret-cluster-token-0123456789';

export class FakeCluster {
  readonly clock = new FakeClock();
  readonly journal = new MemoryJournalForTests();
  readonly events: ProgressEvent[] = [];
  readonly violations: string[] = [];
  readonly calls: string[] = [];
  readonly vms = new Map<string, VmState>();
  readonly templates = new Map<string, string>();
  readonly cordoned = new Set<string>();
  readonly noout = new Set<string>();
  readonly backups = new Map<string, Uint8Array>();
  readonly etcdLeft = new Set<string>();
  readonly replacements: Record<string, number> = {};
  pods: (PodView & { deleted?: boolean })[] = [];
  serial = 1;
  lastBackupSerial = 0;
  lease: LeaseRecord | undefined;
  private nextId = 100;
  private rv = 1;

  constructor(
    readonly inventory: Inventory = testInventory(),
    readonly faults: FakeFaults = {},
    readonly policy: Policy = structuredClone(DEFAULT_POLICY),
  ) {
    for (const n of inventory.nodes)
      this.vms.set(n.name, { id: this.nextId++, configured: true, bootedAt: 0, version: FROM });
    for (const t of Object.values(inventory.templates)) this.templates.set(t.address, FROM);
    for (const n of inventory.nodes) {
      this.pods.push(this.pod(`app-${n.name}`, n.name, 'ReplicaSet'));
      this.pods.push(this.pod(`ds-${n.name}`, n.name, 'DaemonSet'));
    }
  }

  pod(
    name: string,
    node: string,
    controllerKind: string | undefined,
    extra: Partial<PodView> = {},
  ): PodView {
    return {
      namespace: 'default',
      name,
      uid: `${name}-uid`,
      nodeName: node,
      phase: 'Running',
      ready: true,
      controllerKind,
      mirror: false,
      usesEmptyDir: false,
      deleting: false,
      labels: {},
      ...extra,
    };
  }

  private fault(op: string): void {
    this.calls.push(op);
    if (this.faults.broken?.has(op))
      throw new DroverError('failed', 'SIMULATED_FAULT_PERMANENT', `${op} is broken`);
    const left = this.faults.transient?.[op] ?? 0;
    if (left > 0) {
      this.faults.transient![op] = left - 1;
      throw new DroverError('failed', 'SIMULATED_FAULT', `${op} failed transiently`);
    }
  }

  node(name: string): InventoryNode {
    const n = this.inventory.nodes.find((x) => x.name === name);
    if (!n) throw new Error(`no node ${name}`);
    return n;
  }

  private byAddress(address: string): InventoryNode | undefined {
    return this.inventory.nodes.find((n) => n.address === address);
  }

  /** A node is up when its VM runs configured and has booted. */
  up(name: string): boolean {
    const vm = this.vms.get(name);
    if (
      !vm ||
      !vm.configured ||
      (this.faults.neverReady?.has(name) && vm.id >= 100 + this.inventory.nodes.length)
    )
      return false;
    return this.clock.now() >= vm.bootedAt;
  }

  view(name: string): NodeView | undefined {
    const vm = this.vms.get(name);
    if (!vm) return undefined;
    const node = this.node(name);
    const up = this.up(name);
    const gpu = node.gpu && up && vm.version === TO;
    return {
      name,
      ready: up ? 'True' : 'Unknown',
      unschedulable: this.cordoned.has(name),
      osImage: `Talos (v${vm.version})`,
      talosVersion: vm.version,
      kubeletVersion: 'v1.33.0',
      // The machine's identity as its kubelet reports it: new with every VM.
      ...(up ? { systemUUID: `fake-uuid-${vm.id}` } : {}),
      labels: gpu ? { 'nvidia.com/gpu.present': 'true' } : {},
      allocatable: gpu ? { 'nvidia.com/gpu': '1' } : {},
      resourceVersion: String(this.rv++),
    };
  }

  private checkOutOfService(): void {
    const cpDown = this.inventory.nodes.filter(
      (n) => n.role === 'controlplane' && (!this.up(n.name) || this.etcdLeft.has(n.name)),
    );
    if (cpDown.length > 1)
      this.violations.push(`invariant 1: ${cpDown.map((n) => n.name).join(',')} down at once`);
  }

  /** Ports for one "process"; once `proc.killed`, every call and sleep of it hangs forever (a SIGKILL). */
  ports(proc: { killed: boolean } = { killed: false }): Ports {
    const base = this.basePorts();
    const never = new Promise<never>(() => undefined);
    const wrap = <T extends object>(target: T): T =>
      new Proxy(target, {
        get(obj, key, receiver) {
          const value = Reflect.get(obj, key, receiver) as unknown;
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            if (proc.killed) return never;
            const result = (value as (...a: unknown[]) => unknown).apply(obj, args);
            if (!(result instanceof Promise)) return result;
            return result.then(
              (v) => (proc.killed ? never : v),
              (e) => (proc.killed ? never : Promise.reject(e)),
            );
          };
        },
      });
    const clock = {
      now: () => this.clock.now(),
      sleep: (ms: number, signal?: AbortSignal) =>
        proc.killed
          ? never
          : this.clock.sleep(ms, signal).then(() => (proc.killed ? never : undefined)),
    };
    const kubernetes = wrap(base.kubernetes);
    return {
      ...base,
      clock,
      kubernetes,
      talos: wrap(base.talos),
      infrastructure: wrap(base.infrastructure),
      stateBackup: wrap(base.stateBackup),
      storage: wrap(base.storage),
      journal: wrap(base.journal),
      lock: new LeaseLock({ kubernetes, clock }),
    };
  }

  private basePorts(): Ports {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the port objects below close over the cluster
    const c = this;
    const kubernetes: Ports['kubernetes'] = {
      async getNode(name) {
        return c.view(name);
      },
      async listNodes() {
        return c.inventory.nodes.flatMap((n) => c.view(n.name) ?? []);
      },
      async cordon(name) {
        c.fault('cordon');
        c.cordoned.add(name);
      },
      async uncordon(name) {
        c.fault('uncordon');
        const v = c.view(name);
        const touched = (c.vms.get(name)?.id ?? 0) >= 100 + c.inventory.nodes.length;
        if (touched && (v?.talosVersion !== TO || v.ready !== 'True'))
          c.violations.push(`invariant 5: uncordoned ${name} not at target`);
        c.cordoned.delete(name);
      },
      async waitForNode(name, predicate, options) {
        const deadline = c.clock.now() + options.timeoutMs;
        for (;;) {
          const v = c.view(name);
          if (predicate(v)) return v;
          if (c.clock.now() >= deadline)
            throw new DroverError('failed', 'WAIT_TIMEOUT', `waiting for ${name} timed out`);
          await c.clock.sleep(Math.min(5000, deadline - c.clock.now()), options.signal);
        }
      },
      async listPodsOnNode(name) {
        c.fault('listPods');
        return c.pods.filter((p) => p.nodeName === name && !p.deleted).map((p) => ({ ...p }));
      },
      async evictPod(ref) {
        c.fault('evict');
        const pod = c.pods.find((p) => p.name === ref.name && !p.deleted);
        if (!pod) return { outcome: 'gone' };
        // The API server deletes finished pods without a PDB check (eviction.go canIgnorePDB).
        const finished = pod.phase === 'Succeeded' || pod.phase === 'Failed';
        if (c.faults.pdbBlocked?.has(pod.name) && !finished)
          return {
            outcome: 'blocked',
            reason: "Cannot evict pod as it would violate the pod's disruption budget.",
          };
        pod.deleted = true;
        return { outcome: 'evicted' };
      },
      async deletePod(ref) {
        c.fault('deletePod');
        const pod = c.pods.find((p) => p.name === ref.name);
        if (pod) pod.deleted = true;
      },
      async waitForPodsGone(pods: PodRef[]) {
        if (pods.some((r) => c.pods.find((p) => p.name === r.name && !p.deleted)))
          throw new DroverError('failed', 'WAIT_TIMEOUT', 'pods remain');
      },
      async deploymentStatus() {
        const ready = c.inventory.nodes
          .filter((n) => n.role === 'worker' && c.up(n.name) && !c.cordoned.has(n.name))
          .map((n) => n.name);
        return {
          namespace: 'kube-system',
          name: 'coredns',
          desired: 2,
          available: Math.min(2, ready.length),
          readyNodes: ready.slice(0, 2),
        };
      },
      async daemonSetStatus() {
        return undefined;
      },
      async cephHealth() {
        c.fault('cephHealth');
        const osdDown = c.inventory.nodes.some((n) => n.storage?.osd && !c.up(n.name));
        return osdDown || c.noout.size > 0 ? 'HEALTH_WARN' : 'HEALTH_OK';
      },
      async cephStatus() {
        c.fault('cephHealth');
        const osdDown = c.inventory.nodes.some((n) => n.storage?.osd && !c.up(n.name));
        const checks: Record<string, { severity: string; message: string }> = {};
        if (osdDown) checks.OSD_DOWN = { severity: 'HEALTH_WARN', message: '1 osds down' };
        if (c.noout.size > 0)
          checks.OSD_FLAGS = {
            severity: 'HEALTH_WARN',
            message: `${c.noout.size} OSDs or CRUSH {nodes, device-classes} have {NOUP,NODOWN,NOIN,NOOUT} flags set`,
          };
        const health = Object.keys(checks).length > 0 ? 'HEALTH_WARN' : 'HEALTH_OK';
        return { health, checks, lastChecked: c.clock.now() } as const;
      },
      async workloadAvailability() {
        return [];
      },
      async helmReleases() {
        return [{ namespace: 'flux', name: 'app', ready: true, reason: 'ok' }];
      },
      async problemPods() {
        return [];
      },
      async getResource() {
        return undefined;
      },
      async apiServerReady() {
        return c.inventory.nodes.some((n) => n.role === 'controlplane' && c.up(n.name));
      },
      async getLease() {
        return c.lease ? { ...c.lease } : undefined;
      },
      async createLease(lease) {
        if (c.lease) throw new DroverError('refused', 'LEASE_CONFLICT', 'exists');
        c.lease = { ...lease, resourceVersion: String(c.rv++) };
        return { ...c.lease };
      },
      async updateLease(lease) {
        if (!c.lease || c.lease.resourceVersion !== lease.resourceVersion)
          throw new DroverError('refused', 'LEASE_CONFLICT', 'stale');
        c.lease = { ...lease, resourceVersion: String(c.rv++) };
        return { ...c.lease };
      },
    };
    const members = () =>
      c.inventory.nodes
        .filter((n) => n.role === 'controlplane' && !c.etcdLeft.has(n.name))
        .map((n) => ({
          id: (c.vms.get(n.name)?.id ?? 0).toString(16).padStart(16, '0'),
          hostname: n.name,
          learner: false,
        }));
    const talos: Ports['talos'] = {
      async version(address) {
        c.fault('talos.version');
        const n = c.byAddress(address);
        if (!n || !c.up(n.name))
          throw new DroverError('failed', 'TALOS_VERSION_FAILED', `${address} unreachable`);
        return c.vms.get(n.name)!.version;
      },
      async etcdMembers(address) {
        c.fault('etcdMembers');
        const n = c.byAddress(address);
        if (!n || !c.up(n.name))
          throw new DroverError('failed', 'TALOS_ETCD_MEMBERS_FAILED', 'down');
        return members();
      },
      async etcdStatus(addresses) {
        return addresses.map((a) => {
          const n = c.byAddress(a)!;
          const healthy =
            c.up(n.name) && !c.etcdLeft.has(n.name) && !c.faults.etcdUnhealthy?.has(n.name);
          return {
            node: a,
            memberId: (c.vms.get(n.name)?.id ?? 0).toString(16).padStart(16, '0'),
            healthy,
            ...(healthy ? {} : { error: 'unhealthy' }),
          };
        });
      },
      async etcdLeave(address) {
        c.fault('etcdLeave');
        const n = c.byAddress(address)!;
        c.etcdLeft.add(n.name);
        c.checkOutOfService();
      },
      async etcdForfeitLeadership() {
        // This fake has no leader: every member answers as a follower (a no-op).
      },
      async bootId(address) {
        const n = c.byAddress(address);
        if (!n || !c.up(n.name))
          throw new DroverError('failed', 'TALOS_BOOT_ID_FAILED', `${address} unreachable`);
        return `boot-${c.vms.get(n.name)!.id}`;
      },
      async etcdRemoveMember(_via, id) {
        const n = c.inventory.nodes.find(
          (x) => (c.vms.get(x.name)?.id ?? 0).toString(16).padStart(16, '0') === id,
        );
        if (n) c.etcdLeft.add(n.name);
      },
      async probe(address) {
        c.fault('probe');
        const n = c.byAddress(address)!;
        if (c.faults.x509?.has(n.name)) return 'x509';
        const vm = c.vms.get(n.name);
        if (!vm) return 'unreachable';
        if (c.clock.now() < vm.bootedAt) return 'unreachable';
        return vm.configured ? 'configured' : 'maintenance';
      },
      async applyConfig(address, config, options) {
        c.fault('applyConfig');
        if (!options.insecure)
          throw new DroverError(
            'failed',
            'TALOS_X509',
            'x509: certificate signed by unknown authority',
          );
        if (!config.includes(SECRET)) c.violations.push('config without its secret');
        const n = c.byAddress(address)!;
        const vm = c.vms.get(n.name)!;
        if (vm.configured)
          throw new DroverError('failed', 'TALOS_TLS', 'remote error: tls: certificate required');
        vm.configured = true;
        vm.bootedAt = c.clock.now() + 120_000;
        if (n.role === 'controlplane') c.etcdLeft.delete(n.name);
      },
      async upgrade() {
        throw new Error('not in cattle');
      },
      async upgradeKubernetes() {
        return '';
      },
    };
    const infrastructure: Ports['infrastructure'] = {
      async plan(request) {
        c.fault('plan');
        const changes: ResourceChange[] = request.replace.map((a) => ({
          address: `${a}.proxmox_virtual_environment_vm.this`,
          actions: ['delete', 'create'],
        }));
        if (c.faults.planExtra) changes.push({ address: c.faults.planExtra, actions: ['update'] });
        return {
          id: `plan-${c.serial}`,
          changes: [...changes, { address: 'data.x', actions: ['read'] }],
        } satisfies InfrastructurePlan;
      },
      async apply(plan) {
        c.fault('apply');
        if (plan.id !== `plan-${c.serial}`)
          throw new DroverError('failed', 'TF_PLAN_STALE', 'Saved plan is stale');
        if (c.lastBackupSerial !== c.serial)
          c.violations.push(`invariant 2: apply at serial ${c.serial} without a backup`);
        for (const change of plan.changes) {
          if (change.actions.every((a) => a === 'read' || a === 'no-op')) continue;
          const known = [
            ...c.templates.keys(),
            ...c.inventory.nodes.flatMap((n) => n.terraformAddresses),
          ];
          if (!known.some((k) => change.address.startsWith(k))) {
            c.violations.push(`invariant 3: apply touched ${change.address}`);
            continue;
          }
          if (!change.actions.includes('create')) continue;
          const template = [...c.templates.keys()].find((t) => change.address.startsWith(t));
          if (template) {
            c.templates.set(template, TO);
            continue;
          }
          const n = c.inventory.nodes.find((x) =>
            x.terraformAddresses.some((a) => change.address.startsWith(a)),
          );
          if (!n) continue;
          if (n.role === 'controlplane' && !c.etcdLeft.has(n.name))
            c.violations.push(`etcd member ${n.name} not removed before destroy`);
          c.vms.set(n.name, {
            id: c.nextId++,
            configured: false,
            bootedAt: c.clock.now() + 60_000,
            version: c.templates.get(c.inventory.templates[n.template]!.address)!,
          });
          c.replacements[n.name] = (c.replacements[n.name] ?? 0) + 1;
          c.checkOutOfService();
        }
        c.serial++;
        await c.clock.sleep(1000);
      },
      async pullState() {
        c.fault('pullState');
        const bytes = new TextEncoder().encode(`state-${c.serial}`);
        return { serial: c.serial, lineage: 'l1', bytes };
      },
      async listResources() {
        return [];
      },
      async resourceIds(addresses) {
        c.fault('resourceIds');
        return Object.fromEntries(
          addresses.map((a) => {
            const n = c.inventory.nodes.find((x) => x.terraformAddresses.includes(a));
            const vm = n ? c.vms.get(n.name) : undefined;
            return [a, vm ? `vm-${vm.id}` : undefined];
          }),
        );
      },
      async templateVersion(address) {
        return c.templates.get(address);
      },
    };
    return {
      clock: c.clock,
      kubernetes,
      talos,
      infrastructure,
      stateBackup: {
        async put(key, bytes) {
          c.fault('s3.put');
          c.backups.set(key, bytes);
          const serial = Number(new TextDecoder().decode(bytes).split('-')[1]);
          c.lastBackupSerial = serial;
          return {
            key,
            sha256: createHash('sha256').update(bytes).digest('hex'),
            size: bytes.length,
          };
        },
        async get(key) {
          c.fault('s3.get');
          const b = c.backups.get(key);
          if (!b) throw new DroverError('failed', 'S3_NO_SUCH_KEY', key);
          return b;
        },
      },
      secrets: {
        async machineConfig(node) {
          return `version: v1alpha1\nmachine:\n  token: ${SECRET}\n  type: ${node.role}\n`;
        },
      },
      storage: {
        async setNoout(domain, on) {
          c.fault('noout');
          if (on) c.noout.add(domain);
          else c.noout.delete(domain);
        },
        async nooutDomains() {
          return [...c.noout];
        },
      },
      journal: c.journal,
      lock: new LeaseLock({ kubernetes, clock: c.clock }),
      reporter: { event: (e) => void c.events.push(e) },
    };
  }
}
