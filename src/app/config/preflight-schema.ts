/**
 * Config sections for the checks before the first node:
 * - `preflight.installerImages`: `check` (default) looks every installer image up in its
 *   registry before anything is cordoned; `skip` is for a runner that cannot reach the registry
 *   (air-gapped, or a mirror only the nodes reach): nothing is looked up and the report says so.
 * - `releaseGate`: the release gate of route, plan, upgrade and simulate (core/refusals.ts):
 *   the Talos target must be the newest patch of its line in the release list, and published at
 *   least `minAgeDays` ago. `--release-list` / `--min-release-age` override these fields.
 */
import { z } from 'zod';

export const INSTALLER_IMAGE_CHECKS = ['check', 'skip'] as const;
export type InstallerImageCheck = (typeof INSTALLER_IMAGE_CHECKS)[number];

export const PreflightSchema = z
  .strictObject({
    installerImages: z
      .enum(INSTALLER_IMAGE_CHECKS)
      .default('check')
      .describe(
        'check: every installer image must exist in its registry before the first cordon; skip: the runner cannot reach the registry (air-gapped), look nothing up',
      ),
  })
  .default({ installerImages: 'check' });

export const ReleaseGateSchema = z
  .strictObject({
    releaseList: z
      .string()
      .min(1)
      .describe(
        'YAML/JSON list of { version, publishedAt } (relative to this config file); the Talos target must be the newest patch of its line in it',
      ),
    minAgeDays: z
      .number()
      .int()
      .min(0)
      .default(0)
      .describe('The Talos target must have been published at least this many days ago'),
  })
  .describe('Release gate for route, plan, upgrade and simulate (flags override it)');
