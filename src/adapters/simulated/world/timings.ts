/**
 * How long the world takes for what it is asked to do (or does on its own): its own table,
 * keyed by the activity, never by the engine's step that happens to ask. A Talos version read
 * costs the same whichever step reads it; a VM takes as long to create whoever applies the plan.
 *
 * The scenario's `durations:` section is written in the plan's words (docs/scenarios.md: a
 * scenario says how long `replace-vm` takes), so this is the one place that maps an activity of
 * the world to the duration the scenario gives for it.
 */
import type { StepDurations } from '../../../core/durations.js';

const SOURCE = {
  /** terraform apply that recreates a node's VM. */
  'vm-create': 'replace-vm',
  /** terraform apply that rebuilds a template. */
  'template-build': 'rebuild-template',
  /** A fresh VM booting until its Talos API answers in maintenance mode. */
  'machine-boot': 'wait-maintenance',
  /** A configured machine's kubelet registering and turning Ready. */
  'kubelet-ready': 'wait-ready',
  /** The NVIDIA device plugin advertising a GPU node's GPUs. */
  'gpu-plugin': 'wait-gpu',
  /** A new control plane member joining etcd and catching up. */
  'etcd-join': 'wait-etcd-rejoin',
  /** Ceph back to HEALTH_OK once a domain's OSDs are all back. */
  'ceph-recovery': 'post-checks',
  /** talosctl upgrade: the install and the reboot into the new image. */
  'talos-upgrade': 'talos-upgrade',
  /** talosctl upgrade-k8s across the cluster. */
  'k8s-upgrade': 'k8s-upgrade',
  /** talosctl apply-config until the machine takes it. */
  'config-apply': 'apply-config',
  /** talosctl etcd leave. */
  'etcd-leave': 'etcd-leave',
  /** talosctl etcd status over the members. */
  'etcd-status-read': 'gate-etcd',
  /** talosctl version (twice per read: the call and its answer). */
  'version-read': 'verify-version',
  /** terraform state pull, and a backup's put and read back. */
  'state-transfer': 'backup-state',
  /** A cordon or uncordon PATCH taking effect. */
  cordon: 'cordon',
  uncordon: 'uncordon',
  /** ceph osd set-group / unset-group noout. */
  'noout-set': 'storage-noout-set',
  'noout-unset': 'storage-noout-unset',
  /** A drain's evictions end to end (a seeded pod's termination grace is half of it: seed-workloads.ts). */
  'pod-termination': 'drain',
} as const satisfies Record<string, keyof StepDurations>;

export type WorldActivity = keyof typeof SOURCE;

/** Seconds the world takes for `activity`, as the scenario's durations give it. */
export function activitySeconds(durations: StepDurations, activity: WorldActivity): number {
  return durations[SOURCE[activity]];
}
