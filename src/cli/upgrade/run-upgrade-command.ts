// Temporary until the real adapters are wired in (integration step).
import { DroverError } from '../../core/errors.js';
import { reportError } from '../errors.js';

export async function runUpgradeCommand(
  _kind: string,
  options: Record<string, unknown>,
): Promise<number> {
  void options;
  return reportError(new DroverError('failed', 'NOT_WIRED', 'not wired yet'), { json: false });
}
