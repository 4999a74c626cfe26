/**
 * Invariant checks of the simulated Terraform (hooked from the infrastructure port and the
 * world's event loop): an apply changes only the VM resources of its nodes (one control plane node, or a batch of
 * workers) or templates only;
 * a bootstrap, secrets, tls or random resource recreated is a second bootstrap (etcd split);
 * an etcd leave must be followed by a replacement of that node's VM.
 */
import type { InventoryNode } from '../../../core/inventory.js';
import type { ResourceAction } from '../../../ports/infrastructure.js';
import type { World } from './world.js';

type Owner =
  | { kind: 'node'; node: InventoryNode; vm: boolean }
  | { kind: 'template'; key: string }
  | { kind: 'shared' };

const IDENTITY =
  /(^|\.)(talos_machine_bootstrap|talos_machine_secrets|tls_[a-z0-9_]+|random_[a-z0-9_]+)\.[^.]+$/;

export function checkTerraformApply(
  world: World,
  changes: readonly { address: string; actions: readonly ResourceAction[] }[],
  owners: readonly Owner[],
  nodes: readonly string[],
): void {
  const acting = changes
    .map((c, i) => ({ c, o: owners[i] }))
    .filter(({ c }) => c.actions.some((a) => a !== 'no-op' && a !== 'read'));
  for (const { c } of acting) {
    if (IDENTITY.test(c.address) && c.actions.some((a) => a !== 'update'))
      world.violation(
        'scoped-terraform',
        `second bootstrap: apply recreated ${c.address} (${c.actions.join(',')})`,
      );
  }
  const hasTemplates = acting.some(({ o }) => o?.kind === 'template');
  // A batch of workers in one apply is fine (invariant disruption-budget judges each destroy); two control
  // plane nodes at once never are (invariant etcd-quorum).
  const controlPlane = nodes.filter((n) => world.node(n)?.role === 'controlplane');
  if (controlPlane.length > 1 || (controlPlane.length > 0 && nodes.length > 1))
    world.violation(
      'scoped-terraform',
      `apply touched the VMs of ${nodes.length} nodes at once, control plane among them (${nodes.join(', ')})`,
    );
  if (nodes.length > 0 && hasTemplates)
    world.violation(
      'scoped-terraform',
      `apply touched templates and the VM of ${nodes.join(', ')} together`,
    );
  const outside = acting.filter(({ c, o }) => {
    if (!o || o.kind === 'shared') return true;
    if (o.kind === 'template') return false;
    if (!nodes.includes(o.node.name)) return true;
    // Inside the node's module: only the VM is created or destroyed; others may follow in place.
    return !o.vm && c.actions.some((a) => a !== 'update');
  });
  if (outside.length > 0)
    world.violation(
      'scoped-terraform',
      `apply touched ${outside.map(({ c }) => `${c.address} (${c.actions.join(',')})`).join(', ')}, beyond the VM resources of ${nodes.length > 0 ? nodes.join(', ') : 'the templates'}`,
    );
}

/**
 * An etcd member left and no replacement of that node followed: at the end of a run, a control
 * plane node that is not an etcd member, still running its old machine, whose VM no apply even
 * set out to replace (a failed apply is a replacement Drover attempted; a refused plan is not).
 */
export function checkLeavesReplaced(world: World): void {
  for (const node of world.context.inventory.nodes) {
    if (node.role !== 'controlplane') continue;
    const member = world.state.etcd.some((m) => m.node === node.name);
    const replaced = (world.state.vmReplacements[node.name] ?? 0) > 0;
    const running = world.state.vms[node.name]?.phase === 'running';
    const attempted = world.state.replaceAttempted?.[node.name] === true;
    const message = `${node.name} left etcd and its VM was never replaced`;
    // Judged at the Lease release and again at the run's end: recorded once.
    const recorded = world.state.violations.some((v) => v.message === message);
    if (!member && !replaced && !attempted && running && !recorded)
      world.violation('etcd-quorum', message);
  }
}
