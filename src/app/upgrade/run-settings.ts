/** Settings both the dry run and the real run read from the config and the flags alike. */
import { OciRegistry } from '../../adapters/registry/oci-registry.js';
import { maintenancePolicyOf } from '../../core/maintenance-window-grammar.js';
import type { RegistryPort } from '../../ports/index.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { UseCaseIo } from './execute-upgrade.js';
import type { UpgradeOptions } from './upgrade-input.js';

/**
 * Where installer images are looked up, or why they are not: --installer-images over the
 * config's preflight.installerImages (skip: an air-gapped runner, or a mirror only nodes reach).
 */
export function registryOf(
  loaded: LoadedConfig,
  options: UpgradeOptions,
  io: Pick<UseCaseIo, 'registry'>,
): { registry?: RegistryPort; installerImagesSkipped?: string } {
  if (options.installerImages === 'skip')
    return { installerImagesSkipped: '--installer-images skip' };
  if (options.installerImages === undefined && loaded.config.preflight.installerImages === 'skip')
    return { installerImagesSkipped: 'preflight.installerImages is skip in the config' };
  return { registry: io.registry ?? new OciRegistry() };
}

/** The config's maintenance windows, with --outside-window over maintenance.outsideWindow. */
export function maintenanceOf(loaded: LoadedConfig, options: UpgradeOptions) {
  const section = loaded.config.maintenance;
  if (section === undefined) return {};
  const outsideWindow = options.outsideWindow ?? section.outsideWindow;
  return { maintenance: maintenancePolicyOf({ windows: section.windows, outsideWindow }) };
}
