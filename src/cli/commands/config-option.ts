import { existsSync } from 'node:fs';
import { Option } from 'commander';
import type { Command } from 'commander';
import { CONFIG_ENV, findConfig } from '../../app/config/find-config.js';

/**
 * `--config FILE`, else DROVER_CONFIG (the workflows set it once for every step), else
 * ./drover.yaml. Use with `findConfigBeforeAction`, which settles which one (find-config.ts).
 */
export function configOption(
  description = `drover.yaml describing the cluster (default: $${CONFIG_ENV}, then ./drover.yaml)`,
): Option {
  return new Option('-c, --config <file>', description).env(CONFIG_ENV);
}

/** A preAction hook that sets --config to the file found, or stops with exit 2. */
export function findConfigBeforeAction(required: boolean) {
  return (_program: Command, command: Command): void => {
    const value = command.getOptionValue('config') as string | undefined;
    const source = command.getOptionValueSource('config');
    const found = findConfig({
      ...(source === 'cli' && value !== undefined ? { flag: value } : {}),
      ...(source === 'env' && value !== undefined ? { env: value } : {}),
      cwd: process.cwd(),
      exists: existsSync,
      required,
    });
    if (found) command.setOptionValueWithSource('config', found.file, 'config');
  };
}
