/**
 * Runs the Action in-process with exactly the given runner variables: @actions/core reads
 * INPUT_*, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY from process.env, so every INPUT_* and GITHUB_*
 * variable of the test process (a CI runner has its own) is set aside for the run and restored.
 */
import { runAction } from '../../src/action/run-action.js';

const RUNNER_VARIABLE = /^(INPUT_|GITHUB_)/;

export async function runActionWith(env: Readonly<Record<string, string>>): Promise<number> {
  const saved = Object.entries(process.env).filter(([name]) => RUNNER_VARIABLE.test(name));
  for (const [name] of saved) delete process.env[name];
  Object.assign(process.env, env);
  try {
    return await runAction();
  } finally {
    for (const name of Object.keys(process.env))
      if (RUNNER_VARIABLE.test(name)) delete process.env[name];
    for (const [name, value] of saved) process.env[name] = value;
  }
}
