/** The kind argument of `plan`, `upgrade` (and the Action's inputs), checked at the boundary. */
import { DroverError } from '../../core/errors.js';
import { UPGRADE_KINDS } from '../../core/plan.js';
import type { UpgradeKind } from '../../core/plan.js';

export function checkKind(kind: string, command: string): UpgradeKind {
  if ((UPGRADE_KINDS as readonly string[]).includes(kind)) return kind as UpgradeKind;
  throw new DroverError(
    'usage',
    'KIND_INVALID',
    `kind: "${kind}" is not one of ${UPGRADE_KINDS.join(', ')}`,
    { hint: `Example: drover ${command} cattle --config drover.yaml --to 1.11.0` },
  );
}
