/**
 * Which drover.yaml a command reads: `--config FILE`, else the file DROVER_CONFIG names, else
 * `./drover.yaml`. A DROVER_CONFIG that names a missing file is an error naming the variable:
 * falling back to another file would run against a cluster nobody named.
 */
import { join } from 'node:path';
import { DroverError } from '../../core/errors.js';

export const CONFIG_ENV = 'DROVER_CONFIG';
export const DEFAULT_CONFIG_FILE = 'drover.yaml';

export const CONFIG_SOURCES = ['flag', 'env', 'cwd'] as const;
export type ConfigSource = (typeof CONFIG_SOURCES)[number];

export interface FoundConfig {
  file: string;
  source: ConfigSource;
}

export interface FindConfigInput {
  /** --config, when given on the command line. */
  flag?: string;
  /** The value of DROVER_CONFIG, when set. */
  env?: string;
  cwd: string;
  exists(path: string): boolean;
  /** Whether the command needs a config (status reads one only when there is one). */
  required: boolean;
}

export function findConfig(input: FindConfigInput): FoundConfig | undefined {
  if (input.flag !== undefined && input.flag !== '') return { file: input.flag, source: 'flag' };
  if (input.env !== undefined && input.env !== '') {
    if (input.exists(input.env)) return { file: input.env, source: 'env' };
    throw new DroverError(
      'input',
      'CONFIG_NOT_FOUND',
      `${CONFIG_ENV} names ${input.env}, which does not exist`,
      { hint: `Point ${CONFIG_ENV} at drover.yaml, unset it, or pass --config FILE.` },
    );
  }
  const local = join(input.cwd, DEFAULT_CONFIG_FILE);
  if (input.exists(local)) return { file: local, source: 'cwd' };
  if (!input.required) return undefined;
  throw new DroverError(
    'usage',
    'CONFIG_MISSING',
    `no config: no --config, no ${CONFIG_ENV}, and no ${DEFAULT_CONFIG_FILE} in ${input.cwd}`,
    {
      hint: `Pass --config FILE, set ${CONFIG_ENV}, or run in the directory of ${DEFAULT_CONFIG_FILE} (drover init writes a starter).`,
    },
  );
}
