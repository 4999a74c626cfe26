/**
 * Secrets come only from the environment. Every named variable's value is registered with the
 * Redactor (and, when it is base64 text, its decoded form too: configs travel base64-encoded).
 * Under GitHub Actions (GITHUB_ACTIONS=true) each value is also masked in the job log with the
 * `::add-mask::` workflow command, one line at a time, because the runner masks line by line:
 * a multi-line secret masked whole would still leak its lines.
 */
import type { Redactor } from '../../core/redact.js';

export interface RegisterOptions {
  /** Where workflow commands go; the runner reads them from stdout. */
  write?: (text: string) => void;
}

/** Returns the names that held a value. */
export function registerEnvironmentSecrets(
  env: Record<string, string | undefined>,
  names: readonly string[],
  redactor: Redactor,
  options: RegisterOptions = {},
): string[] {
  const underActions = env.GITHUB_ACTIONS === 'true';
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const registered: string[] = [];
  for (const name of names) {
    const value = env[name];
    if (value === undefined || value.trim() === '') continue;
    registered.push(name);
    const forms = [value, ...decodedForm(value)];
    for (const form of forms) {
      redactor.add(form);
      if (underActions)
        for (const line of maskLines(form)) write(`::add-mask::${escapeCommandData(line)}\n`);
    }
  }
  return registered;
}

function decodedForm(value: string): string[] {
  const compact = value.replace(/\s+/g, '');
  if (compact.length < 16 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact))
    return [];
  const decoded = Buffer.from(compact, 'base64').toString('utf8');
  // Only text: binary garbage would register noise.
  return /^[\t\n\r\x20-\x7e\u00a0-\uffff]+$/.test(decoded) && !decoded.includes('\ufffd')
    ? [decoded]
    : [];
}

/** A one-line value whole; a multi-line one by its lines of 16+ characters, like the Redactor. */
function maskLines(value: string): string[] {
  const trimmed = value.trim();
  if (!/\r?\n/.test(trimmed)) return trimmed.length >= 4 ? [trimmed] : [];
  const lines = trimmed
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16);
  return [...new Set(lines)];
}

/** Workflow command data escaping (as the Actions toolkit does). */
function escapeCommandData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
