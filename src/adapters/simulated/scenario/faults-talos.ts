/**
 * Faults of Talos as it really fails (issue 11), for the scenario's `faults` list. Each names
 * the node it hits; cross-check.ts checks the node exists.
 *
 * - talos-upgrade-drops: `talosctl upgrade` loses the node. `during-reboot` (default): the
 *   upgrade goes ahead, talosctl exits 1 with `unavailable, retrying...` and the node comes back
 *   upgraded. `before-upgrade`: the boot-ID read before the Upgrade call fails with
 *   `code = Unavailable`; nothing was started. `times` calls are hit (default 1).
 * - talos-rolls-back: the node reboots into the new Talos, fails, and Talos boots the old one
 *   again: Ready on the old version with a new boot ID. talosctl's own post check (boot ID
 *   changed, machine ready) passes, so it exits 0.
 * - talos-never-back: the node reboots and never answers again; talosctl ends at its --timeout,
 *   its last line `unavailable, retrying...`.
 * - etcd-leader: this control plane node leads etcd at the start.
 * - k8s-removed-apis: `talosctl upgrade-k8s` (dry run included: its checks run first) refuses
 *   because `count` objects of `resource` still use an API the target removes
 *   (go-kubernetes kubernetes/upgrade/checks.go).
 */
import { z } from 'zod';

export const talosUpgradeDrops = z.strictObject({
  type: z.literal('talos-upgrade-drops'),
  node: z.string(),
  at: z.enum(['during-reboot', 'before-upgrade']).default('during-reboot'),
  times: z.number().int().positive().default(1),
});

export const talosRollsBack = z.strictObject({
  type: z.literal('talos-rolls-back'),
  node: z.string(),
});

export const talosNeverBack = z.strictObject({
  type: z.literal('talos-never-back'),
  node: z.string(),
});

export const etcdLeader = z.strictObject({
  type: z.literal('etcd-leader'),
  node: z.string(),
});

export const k8sRemovedApis = z.strictObject({
  type: z.literal('k8s-removed-apis'),
  resource: z.string().min(1).default('flowschemas.v1beta2.flowcontrol.apiserver.k8s.io'),
  count: z.number().int().positive().default(3),
});

export const TALOS_FAULT_TYPES = [
  'talos-upgrade-drops',
  'talos-rolls-back',
  'talos-never-back',
  'etcd-leader',
  'k8s-removed-apis',
] as const;
