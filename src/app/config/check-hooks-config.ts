/**
 * Cross-field rules of the `hooks`, `alertmanager` and command-gate parts of a config: what
 * Alertmanager would refuse at run time is refused when the config is read (validate, plan).
 */
import type { ConfigProblem } from './check-config.js';
import type { DroverConfig } from './schema.js';

function compiles(pattern: string): boolean {
  try {
    new RegExp(`^(?:${pattern})$`);
    return true;
  } catch {
    return false;
  }
}

export function checkHooksConfig(config: DroverConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const am = config.alertmanager;
  if (am !== undefined) {
    am.matchers.forEach((m, i) => {
      if (m.isRegex && !compiles(m.value))
        problems.push({
          path: ['alertmanager', 'matchers', i, 'value'],
          message: 'is not a valid regular expression',
        });
    });
    // Alertmanager refuses a silence whose matchers all match the empty string (it would
    // silence every alert): say so now, not at the start of an unattended run.
    const matchesEmpty = am.matchers.every((m) => {
      if (m.isRegex && !compiles(m.value)) return false;
      const hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test('') : m.value === '';
      return m.isEqual ? hit : !hit;
    });
    if (matchesEmpty)
      problems.push({
        path: ['alertmanager', 'matchers'],
        message:
          'at least one matcher must not match the empty string (Alertmanager refuses a silence of everything)',
      });
    if (am.bearerTokenEnv !== undefined && am.basicAuthEnv !== undefined)
      problems.push({
        path: ['alertmanager', 'basicAuthEnv'],
        message: 'set bearerTokenEnv or basicAuthEnv, not both',
      });
  }
  return problems;
}
