/**
 * Test support: drives the simulated cluster through the ports the way a careful engine would
 * (templates first; per node: gates, noout, cordon, drain, verified backup, etcd leave, replace,
 * maintenance, config, Ready, etcd rejoin, GPUs, uncordon, Ceph back). The simulator's own tests
 * use it to show a correct cycle breaks no invariant; it is not the engine.
 */
import type { InventoryNode } from '../../../core/inventory.js';
import type { SimulatedCluster } from '../index.js';

const WAIT = { timeoutMs: 3_600_000 };

async function until(
  cluster: SimulatedCluster,
  what: string,
  check: () => Promise<boolean>,
  limitMs = 3_600_000,
): Promise<void> {
  const deadline = cluster.clock.now() + limitMs;
  while (!(await check())) {
    if (cluster.clock.now() > deadline) throw new Error(`driver: timed out waiting for ${what}`);
    await cluster.clock.sleep(5_000);
  }
}

export async function rebuildTemplates(cluster: SimulatedCluster): Promise<void> {
  for (const t of Object.values(cluster.inventory.templates)) {
    const plan = await cluster.ports.infrastructure.plan({
      replace: [t.address],
      replaceOnly: 'all',
    });
    await cluster.ports.infrastructure.apply(plan);
  }
}

export async function backupState(cluster: SimulatedCluster, key: string): Promise<void> {
  const state = await cluster.ports.infrastructure.pullState();
  const stored = await cluster.ports.stateBackup.put(key, state.bytes);
  const back = await cluster.ports.stateBackup.get(key);
  if (back.byteLength !== stored.size) throw new Error('driver: backup read-back differs');
}

export async function drain(cluster: SimulatedCluster, node: string): Promise<void> {
  const k = cluster.ports.kubernetes;
  for (;;) {
    const pods = (await k.listPodsOnNode(node)).filter(
      (p) => p.controllerKind !== 'DaemonSet' && !p.mirror,
    );
    const live = pods.filter((p) => !p.deleting);
    if (pods.length === 0) return;
    let blocked = false;
    for (const p of live) if ((await k.evictPod(p)).outcome === 'blocked') blocked = true;
    if (blocked || live.length === 0) await cluster.clock.sleep(5_000);
  }
}

export async function machineConfigWithPatches(
  cluster: SimulatedCluster,
  node: InventoryNode,
): Promise<string> {
  const config = await cluster.ports.secrets.machineConfig(node);
  const patches = node.patches.map((id) => cluster.inventory.patches[id]?.content ?? '');
  return [config, ...patches].join('\n---\n');
}

export async function replaceNode(
  cluster: SimulatedCluster,
  node: InventoryNode,
  step = 0,
): Promise<void> {
  const { kubernetes: k, talos, infrastructure, storage } = cluster.ports;
  const domain = node.storage?.osd ? (node.storage.failureDomain ?? node.host) : undefined;
  await until(cluster, 'ceph healthy', async () => (await k.cephHealth()) === 'HEALTH_OK');
  if (node.role === 'controlplane') {
    const others = cluster.inventory.nodes.filter(
      (n) => n.role === 'controlplane' && n.name !== node.name,
    );
    await until(cluster, 'etcd healthy', async () =>
      (await talos.etcdStatus(others.map((n) => n.address))).every((s) => s.healthy),
    );
  }
  if (domain) await storage.setNoout(domain, true);
  await k.cordon(node.name);
  await drain(cluster, node.name);
  await backupState(cluster, `backups/${node.name}-${step}.tfstate`);
  if (node.role === 'controlplane') {
    // A leader hands leadership on before it leaves (a follower's forfeit is a no-op).
    await talos.etcdForfeitLeadership(node.address);
    await talos.etcdLeave(node.address);
  }
  const plan = await infrastructure.plan({ replace: node.terraformAddresses });
  await infrastructure.apply(plan);
  await until(
    cluster,
    'maintenance',
    async () => (await talos.probe(node.address)) === 'maintenance',
  );
  await talos.applyConfig(node.address, await machineConfigWithPatches(cluster, node), {
    insecure: true,
  });
  await k.waitForNode(node.name, (n) => n?.ready === 'True' && n.talosVersion === cluster.to, WAIT);
  if (node.role === 'controlplane') {
    await until(cluster, 'etcd rejoin', async () => {
      const all = await talos.etcdStatus(
        cluster.inventory.nodes.filter((n) => n.role === 'controlplane').map((n) => n.address),
      );
      return all.every((s) => s.healthy);
    });
  }
  if (node.gpu)
    await k.waitForNode(node.name, (n) => Number(n?.allocatable['nvidia.com/gpu'] ?? 0) >= 1, WAIT);
  if (domain) await storage.setNoout(domain, false);
  await k.uncordon(node.name);
  await until(cluster, 'ceph healthy after', async () => (await k.cephHealth()) === 'HEALTH_OK');
}

export async function cattleUpgrade(cluster: SimulatedCluster): Promise<void> {
  await rebuildTemplates(cluster);
  let step = 0;
  for (const node of cluster.inventory.nodes.filter((n) => n.role === 'controlplane'))
    await replaceNode(cluster, node, step++);
  for (const node of cluster.inventory.nodes.filter((n) => n.role === 'worker'))
    await replaceNode(cluster, node, step++);
}
