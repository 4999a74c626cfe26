/**
 * A machine config's secret values leak on their own too (a join token in a talosctl error, a
 * key in a debug line), not only as whole lines. We register every string value under a key
 * that names secret material (token, secret, key, crt/cert, password, ...), at any depth.
 */
import { parseAllDocuments } from 'yaml';
import type { Redactor } from '../../core/redact.js';

const SECRET_KEY =
  /token|secret|key|crt|cert|password|passwd|aescbc|secretbox|bootstrap|credential/i;

export function registerConfigSecretValues(config: string, redactor: Redactor): void {
  for (const document of parseAllDocuments(config)) {
    if (document.errors.length > 0) continue;
    walk(document.toJS() as unknown, false, redactor);
  }
}

function walk(value: unknown, secretContext: boolean, redactor: Redactor): void {
  if (typeof value === 'string') {
    if (secretContext) redactor.add(value);
    return;
  }
  if (Array.isArray(value)) {
    for (const item of value) walk(item, secretContext, redactor);
    return;
  }
  if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value))
      walk(inner, secretContext || SECRET_KEY.test(key), redactor);
  }
}
