/** Process wiring for `drover validate`. */
import { executeValidate } from './execute-validate.js';

export async function runValidateCommand(raw: Record<string, unknown>): Promise<number> {
  const text = (key: string) => {
    const value = raw[key];
    return typeof value === 'string' && value !== '' ? { [key]: value } : {};
  };
  return executeValidate(
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
