/** The flags of `drover upgrade`, checked at the boundary. */
import { selectionFromFlags } from '../../app/selection/parse-selection.js';
import type { UpgradeOptions } from '../../app/upgrade/upgrade-input.js';
import { OUTSIDE_WINDOW_MODES } from '../../core/maintenance-window-grammar.js';
import type { OutsideWindowMode } from '../../core/maintenance-window-grammar.js';
import { allowancesFrom } from '../commands/allow-options.js';
import { INSTALLER_IMAGE_CHECKS } from '../../app/config/preflight-schema.js';
import type { InstallerImageCheck } from '../../app/config/preflight-schema.js';
import { releaseGateFlagsFrom } from '../../app/config/release-gate-config.js';

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
