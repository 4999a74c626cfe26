/** Process wiring for `drover upgrade`: the environment, signals and the progress renderer. */
import { createReporter } from '../progress/index.js';
import { withAbortOnSignals } from '../run/abort-on-signals.js';
import { executeUpgrade } from './execute-upgrade.js';
import { upgradeOptionsFrom } from './upgrade-options.js';

export async function runUpgradeCommand(
  kind: string,
  raw: Record<string, unknown>,
): Promise<number> {
  const options = upgradeOptionsFrom(raw);
  return withAbortOnSignals((signal) =>
    executeUpgrade(kind, options, {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      env: process.env,
      reporter: createReporter({ plain: options.json }),
      signal,
    }),
  );
}
