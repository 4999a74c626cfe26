/** The audit's replace-vm applies, shared by the batch tests. */
import { readFileSync } from 'node:fs';
import type { AuditRecord } from '../../src/engine/context.js';

export function applies(auditFile: string): AuditRecord[] {
  return readFileSync(auditFile, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as AuditRecord)
    .filter((r) => r.operation === 'infrastructure.apply' && r.stepId?.endsWith('/replace-vm'));
}
