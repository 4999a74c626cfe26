/** `drover validate` after the command line is parsed: run the use case, print, the exit code. */
import { executeValidate, validationText } from '../../app/upgrade/execute-validate.js';
import type { ValidateOptions } from '../../app/upgrade/execute-validate.js';
import { Redactor } from '../../core/redact.js';
import { reportFailure } from '../run/report-failure.js';
import type { CommandIo } from './run-upgrade-command.js';

export async function validateCommand(
  options: ValidateOptions,
  io: Omit<CommandIo, 'reporter'>,
): Promise<number> {
  const redactor = new Redactor();
  try {
    const result = await executeValidate(options, { ...io, redactor });
    io.stderr(validationText(result));
    if (options.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    return result.ok ? 0 : 1;
  } catch (error) {
    return reportFailure(error, { json: options.json, redactor, ...io });
  }
}

/** Process wiring for `drover validate`. */
export async function runValidateCommand(raw: Record<string, unknown>): Promise<number> {
  const text = (key: string) => {
    const value = raw[key];
    return typeof value === 'string' && value !== '' ? { [key]: value } : {};
  };
  return validateCommand(
    {
      config: typeof raw.config === 'string' ? raw.config : '',
      json: raw.json === true,
      ...text('talos'),
      ...text('kubernetes'),
      ...text('kubeconfig'),
      ...text('context'),
    },
    {
      stdout: (t) => process.stdout.write(t),
      stderr: (t) => process.stderr.write(t),
      env: process.env,
    },
  );
}
