/** What the upgrade use case is asked to do: the parsed flags of `drover upgrade`. */
import type { OutsideWindowMode } from '../../core/maintenance-window-grammar.js';
import type { RouteAllowances } from '../../core/route.js';
import type { Selection } from '../../core/selection.js';
import type { InstallerImageCheck } from '../config/preflight-schema.js';
import type { ReleaseGateFlags } from '../config/release-gate-config.js';

export interface UpgradeOptions {
  config: string;
  to: string;
  from?: string;
  dryRun: boolean;
  resume: boolean;
  journal?: string;
  report?: string;
  audit?: string;
  kubeconfig?: string;
  context?: string;
  talosconfig?: string;
  json: boolean;
  /** --nodes, --role, --limit, --phase, --canary (core/selection.ts); empty: the whole cluster. */
  selection?: Selection;
  /** Overrides maintenance.outsideWindow of the config. */
  outsideWindow?: OutsideWindowMode;
  /** --allow-downgrade, --allow-multi-hop, --allow-unknown (core/refusals.ts). */
  allow?: RouteAllowances;
  /** --release-list, --min-release-age: over the config's releaseGate. */
  releaseGate?: ReleaseGateFlags;
  /** --installer-images: over preflight.installerImages of the config. */
  installerImages?: InstallerImageCheck;
}
