/**
 * The release gate a command applies: the config's `releaseGate` (its list relative to the
 * config file), with `--release-list` and `--min-release-age` overriding each field (a flag wins
 * over the config, the config over nothing). The same for route, plan, upgrade and simulate.
 */
import { resolve } from 'node:path';
import { DroverError } from '../../core/errors.js';
import type { ReleaseGate } from '../../core/refusals.js';
import { loadReleaseList } from '../route/release-list.js';
import type { DroverConfig } from './schema.js';

export interface ReleaseGateFlags {
  /** --release-list FILE (relative to the working directory). */
  releaseList?: string;
  /** --min-release-age DAYS. */
  minReleaseAgeDays?: number;
}

export interface ReleaseGateConfig {
  section: DroverConfig['releaseGate'];
  /** The config file's directory: the section's list is relative to it. */
  dir: string;
}

export async function resolveReleaseGate(
  config: ReleaseGateConfig | undefined,
  flags: ReleaseGateFlags,
  now: number,
): Promise<ReleaseGate | undefined> {
  const section = config?.section;
  const list =
    flags.releaseList ?? (section && config ? resolve(config.dir, section.releaseList) : undefined);
  const age = flags.minReleaseAgeDays ?? section?.minAgeDays ?? 0;
  if (flags.minReleaseAgeDays !== undefined) {
    const days = flags.minReleaseAgeDays;
    if (!Number.isFinite(days) || days < 0 || list === undefined)
      throw new DroverError(
        'usage',
        'RELEASE_GATE_USAGE',
        `--min-release-age ${String(days)}: ${list === undefined ? 'needs --release-list (or releaseGate.releaseList in the config)' : 'not a number of days'}`,
        { hint: 'Example: --release-list talos-releases.yaml --min-release-age 7' },
      );
  }
  if (list === undefined) return undefined;
  return { releases: await loadReleaseList(list), minAgeDays: age, now };
}

/** commander's `--min-release-age <days>` as a number (NaN when not one: refused above). */
export function releaseGateFlagsFrom(raw: Record<string, unknown>): ReleaseGateFlags {
  const list = raw.releaseList;
  const age = raw.minReleaseAge;
  return {
    ...(typeof list === 'string' && list !== '' ? { releaseList: list } : {}),
    ...(typeof age === 'string' && age !== '' ? { minReleaseAgeDays: Number(age) } : {}),
  };
}
