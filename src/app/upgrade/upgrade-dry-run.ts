/**
 * `drover upgrade --dry-run`: what would happen, from live reads only. Nothing is changed, not
 * even the journal or the lock.
 */
import { SystemClock } from '../../adapters/system/system-clock.js';
import { DEFAULT_STEP_DURATIONS } from '../../core/durations.js';
import { lowerBoundSeconds } from '../../core/lower-bound.js';
import { windowStatus } from '../../core/maintenance-window.js';
import type { UpgradeReport } from '../../core/report.js';
import { dryRunReport } from '../../engine/dry-run.js';
import { preflight } from '../../engine/preflight.js';
import { selectLive } from '../selection/live-selection.js';
import { extrasText } from './build-extras.js';
import { buildKubernetes, buildSecrets } from './build-ports.js';
import { annotateReport, dryRunText } from './dry-run-output.js';
import type { PlannedUpgrade, UseCaseIo } from './execute-upgrade.js';
import { runIdOf } from './run-id.js';
import { maintenanceOf, registryOf } from './run-settings.js';
import type { UpgradeOptions } from './upgrade-input.js';

export async function dryRunUpgrade(
  { loaded, selected, full }: PlannedUpgrade,
  options: UpgradeOptions,
  io: UseCaseIo,
): Promise<UpgradeReport> {
  const { redactor } = io;
  const clock = io.clock ?? new SystemClock();
  // Only what reads: the Kubernetes API and the machine configs (into memory).
  const kubernetes = buildKubernetes({ loaded, flags: options, env: io.env, clock, redactor });
  try {
    // --limit/--canary pass over the nodes already at the target (app/selection/live-selection).
    const plan = await selectLive(full, selected, loaded.inventory, {
      listNodes: () => kubernetes.listNodes(),
      resume: false,
    });
    const facts = await preflight({
      plan,
      inventory: loaded.inventory,
      kubernetes,
      storageHealth: kubernetes,
      secrets: buildSecrets(loaded, io.env, redactor),
      ...registryOf(loaded, options, io),
      ...(io.signal ? { signal: io.signal } : {}),
    });
    io.stderr(redactor.redact(dryRunText(plan, facts)));
    const window = maintenanceOf(loaded, options).maintenance;
    if (window) io.stderr(`Maintenance: ${windowStatus(window, clock.now())}\n`);
    io.stderr(redactor.redact(extrasText(loaded.config)));
    const lowerBound = lowerBoundSeconds(plan, loaded.inventory, DEFAULT_STEP_DURATIONS);
    const report = dryRunReport(
      plan,
      loaded.inventory,
      runIdOf(plan, clock),
      clock.now(),
      lowerBound,
    );
    return annotateReport(report, facts);
  } finally {
    kubernetes.close();
  }
}
