/** The flags of `drover upgrade`, checked at the boundary. */
import { DroverError } from '../../core/errors.js';
import { UPGRADE_KINDS } from '../../core/plan.js';
import type { UpgradeKind } from '../../core/plan.js';
import type { Selection } from '../../core/selection.js';
import { selectionFromFlags } from '../selection/parse-selection.js';
import { OUTSIDE_WINDOW_MODES } from '../../core/maintenance-window-grammar.js';
import type { OutsideWindowMode } from '../../core/maintenance-window-grammar.js';
import type { RouteAllowances } from '../../core/route.js';
import { allowancesFrom } from '../commands/allow-options.js';
import { INSTALLER_IMAGE_CHECKS } from '../config/preflight-schema.js';
import type { InstallerImageCheck } from '../config/preflight-schema.js';
import { releaseGateFlagsFrom } from '../config/release-gate-config.js';
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

export function checkKind(kind: string, command: string): UpgradeKind {
  if ((UPGRADE_KINDS as readonly string[]).includes(kind)) return kind as UpgradeKind;
  throw new DroverError(
    'usage',
    'KIND_INVALID',
    `kind: "${kind}" is not one of ${UPGRADE_KINDS.join(', ')}`,
    { hint: `Example: drover ${command} cattle --config drover.yaml --to 1.11.0` },
  );
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** commander's option bag as typed options (commander already enforced the required ones). */
export function upgradeOptionsFrom(raw: Record<string, unknown>): UpgradeOptions {
  const optional = (key: string) => {
    const value = text(raw[key]);
    return value === undefined ? {} : { [key]: value };
  };
  return {
    config: text(raw.config) ?? '',
    to: text(raw.to) ?? '',
    dryRun: raw.dryRun === true,
    resume: raw.resume === true,
    json: raw.json === true,
    selection: selectionFromFlags(raw),
    allow: allowancesFrom(raw),
    releaseGate: releaseGateFlagsFrom(raw),
    ...((INSTALLER_IMAGE_CHECKS as readonly unknown[]).includes(raw.installerImages)
      ? { installerImages: raw.installerImages as InstallerImageCheck }
      : {}),
    ...optional('from'),
    ...optional('journal'),
    ...optional('report'),
    ...optional('audit'),
    ...optional('kubeconfig'),
    ...optional('context'),
    ...optional('talosconfig'),
    ...((OUTSIDE_WINDOW_MODES as readonly unknown[]).includes(raw.outsideWindow)
      ? { outsideWindow: raw.outsideWindow as OutsideWindowMode }
      : {}),
  };
}
