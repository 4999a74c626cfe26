/**
 * Nominal step durations in seconds. The simulated cluster takes these as its behaviour (from
 * the scenario, else these defaults) and the lower-bound estimate uses the same numbers.
 * Calibrated to the approved architecture: about 15 minutes per replaced node, VM create and
 * boot dominating; about 5 minutes per in-place upgrade.
 *
 * A nominal duration is what a step takes when it has something to do. Many steps are gates,
 * verifications or waits that cost nothing when the world is already as it should be, so the
 * shortest time a step can take (what the lower bound adds up) is given by its cost class below.
 */
import type { PlanStep, StepAction } from './plan.js';

export type StepDurations = Record<StepAction, number>;

export const DEFAULT_STEP_DURATIONS: StepDurations = {
  'rebuild-template': 180,
  'verify-templates': 5,
  'gate-etcd': 5,
  'gate-api-stable': 15,
  'gate-health': 5,
  'storage-noout-set': 2,
  'storage-noout-unset': 2,
  cordon: 1,
  drain: 60,
  'backup-state': 10,
  'check-replace-plan': 8,
  'etcd-leave': 10,
  'replace-vm': 300,
  'wait-maintenance': 240,
  'apply-config': 20,
  'talos-upgrade': 240,
  'wait-ready': 150,
  'verify-version': 2,
  'wait-etcd-rejoin': 30,
  'wait-gpu': 60,
  uncordon: 1,
  'post-checks': 30,
  'k8s-upgrade': 600,
  'validate-cluster': 30,
};

/**
 * How much of its nominal duration a step takes at the least, in any run:
 * - `work`: the world's own operation, which takes its nominal duration whatever its state;
 * - `boot`: a machine booting (or installing and rebooting), whose length varies from one boot
 *   to the next by up to BOOT_VARIATION either way: at least (1 - BOOT_VARIATION) x nominal;
 * - `check`: a gate, a verification, a drain of a node that may hold nothing, or a wait that may
 *   find the world already there: 0;
 * - `node-ready`: wait-ready, whose floor depends on the step before it (see stepMinimums).
 */
export const STEP_COSTS = ['work', 'boot', 'check', 'node-ready'] as const;
export type StepCost = (typeof STEP_COSTS)[number];

/**
 * Boot lengths vary around their nominal value by up to this share either way (the simulated
 * cluster draws each boot within +-10 %; a real node's boot varies likewise).
 */
export const BOOT_VARIATION = 0.1;

export const STEP_COST: Record<StepAction, StepCost> = {
  // One Terraform plan and apply recreating the templates of a batch: the apply runs its course.
  'rebuild-template': 'work',
  // Reads each template's version; answers at once when they are right.
  'verify-templates': 'check',
  // Gates pass on their first reading when the cluster is healthy.
  'gate-etcd': 'check',
  'gate-api-stable': 'check',
  'gate-health': 'check',
  // One storage call each, always made.
  'storage-noout-set': 'work',
  'storage-noout-unset': 'work',
  // One API write each, always made.
  cordon: 'work',
  uncordon: 'work',
  // A node with no evictable pods drains at once.
  drain: 'check',
  // The state is pulled, stored and read back every time.
  'backup-state': 'work',
  // One scoped terraform plan, always made, then discarded.
  'check-replace-plan': 'work',
  // talosctl etcd leave on a member always runs its course.
  'etcd-leave': 'work',
  // Plan and apply of the node's VM: destroy, then clone and create.
  'replace-vm': 'work',
  // The fresh VM, created at the end of replace-vm, boots into maintenance mode.
  'wait-maintenance': 'boot',
  // The config is pushed and accepted over the insecure maintenance API.
  'apply-config': 'work',
  // talosctl upgrade --wait: install, reboot, and back; the reboot is a boot.
  'talos-upgrade': 'boot',
  'wait-ready': 'node-ready',
  // The node reports the target versions at once when it came back right.
  'verify-version': 'check',
  // A control plane member may be healthy again by the time this starts (pets: it rejoins
  // during the upgrade's reboot).
  'wait-etcd-rejoin': 'check',
  // The GPU may be allocatable before the wait starts (it comes up while other steps run).
  'wait-gpu': 'check',
  // Workloads may be healthy at once.
  'post-checks': 'check',
  // talosctl upgrade-k8s runs its course (a dry run changes nothing: see stepMinimums).
  'k8s-upgrade': 'work',
  // Every node present and right at the first reading.
  'validate-cluster': 'check',
};

/**
 * The shortest time each step of a sequence (steps that run one after the other, such as a
 * unit's) can take, in order. Two cases depend on the step, not only on its action:
 * - a k8s-upgrade dry run only renders what it would change: 0;
 * - wait-ready right after apply-config: the machine accepts its config (the apply returns),
 *   then installs and boots with it, `wait-ready` seconds later give or take a boot's
 *   variation: at least the shortest boot. After anything else (after talos-upgrade the
 *   upgrade's own wait already saw the node back from its reboot), the node may already be
 *   Ready: 0.
 * - wait-etcd-rejoin after a fresh machine's boot (apply-config, wait-ready, then checks): the
 *   new member joins when the machine boots with its config, the moment it turns Ready, and is
 *   healthy `wait-etcd-rejoin` seconds later give or take the same variation; the checks
 *   between may take nothing, so at least the shortest such wait. Elsewhere (pets: the member
 *   rejoins during the upgrade's reboot) it may be healthy already: 0. wait-gpu likewise: the
 *   GPUs turn allocatable `wait-gpu` seconds (give or take) after that boot.
 */
export function stepMinimums(steps: readonly PlanStep[], durations: StepDurations): number[] {
  const shortestBoot = (action: StepAction) => (1 - BOOT_VARIATION) * durations[action];
  return steps.map((step, i) => {
    switch (STEP_COST[step.action]) {
      case 'work':
        return step.action === 'k8s-upgrade' && step.params.dryRun ? 0 : durations[step.action];
      case 'boot':
        return shortestBoot(step.action);
      case 'check':
        return AFTER_BOOT_WAITS.has(step.action) && afterFreshBoot(steps, i)
          ? shortestBoot(step.action)
          : 0;
      case 'node-ready':
        return steps[i - 1]?.action === 'apply-config' ? shortestBoot('wait-ready') : 0;
    }
  });
}

/** Waits for something a fresh machine brings up by itself once it has booted with its config. */
const AFTER_BOOT_WAITS: ReadonlySet<StepAction> = new Set(['wait-etcd-rejoin', 'wait-gpu']);

/** Step i follows wait-ready after apply-config with only checks in between. */
function afterFreshBoot(steps: readonly PlanStep[], i: number): boolean {
  let j = i - 1;
  while (j >= 0 && STEP_COST[(steps[j] as PlanStep).action] === 'check') j -= 1;
  return steps[j]?.action === 'wait-ready' && steps[j - 1]?.action === 'apply-config';
}

/** The shortest time a sequence of steps, run one after the other, can take. */
export function boundSeconds(steps: readonly PlanStep[], durations: StepDurations): number {
  return stepMinimums(steps, durations).reduce((sum, s) => sum + s, 0);
}
