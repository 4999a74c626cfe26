/**
 * Decoding and validation of Lease bodies as the API server does them: MicroTime fields must
 * have exactly six fractional digits (Go layout 2006-01-02T15:04:05.000000Z07:00), durations
 * must be positive and transitions non-negative.
 */
import type { StatusResponse } from './status.js';
import { badRequest, statusFailure } from './status.js';

const MICRO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}(Z|[+-]\d\d:\d\d)$/;
const LAYOUT = '2006-01-02T15:04:05.000000Z07:00';

export function checkLease(
  body: Record<string, unknown>,
  name: string,
): StatusResponse | undefined {
  const spec = (body.spec ?? {}) as Record<string, unknown>;
  for (const field of ['acquireTime', 'renewTime']) {
    const value = spec[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string' || !MICRO_TIME.test(value)) {
      return badRequest(
        `Lease in version "v1" cannot be handled as a Lease: parsing time ${JSON.stringify(String(value))} as "${LAYOUT}": ${parseFailure(String(value))}`,
      );
    }
  }
  const causes: { reason: string; message: string; field: string }[] = [];
  const duration = spec.leaseDurationSeconds;
  if (
    duration !== undefined &&
    duration !== null &&
    !(typeof duration === 'number' && duration > 0)
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${String(duration)}: must be greater than 0`,
      field: 'spec.leaseDurationSeconds',
    });
  }
  const transitions = spec.leaseTransitions;
  if (
    transitions !== undefined &&
    transitions !== null &&
    !(typeof transitions === 'number' && transitions >= 0)
  ) {
    causes.push({
      reason: 'FieldValueInvalid',
      message: `Invalid value: ${String(transitions)}: must be greater than or equal to 0`,
      field: 'spec.leaseTransitions',
    });
  }
  if (causes.length === 0) return undefined;
  return statusFailure(
    422,
    'Invalid',
    `Lease.coordination.k8s.io "${name}" is invalid: ${causes.map((c) => `${c.field}: ${c.message}`).join(', ')}`,
    { name, group: 'coordination.k8s.io', kind: 'Lease', causes },
  );
}

/** Go's time.Parse message for the first part that does not fit the layout. */
function parseFailure(value: string): string {
  const head = value.match(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
  if (!head) return `cannot parse ${JSON.stringify(value)} as "2006"`;
  const rest = value.slice(head[0].length);
  if (/^\.\d{6}/.test(rest)) return `cannot parse ${JSON.stringify(rest.slice(7))} as "Z07:00"`;
  return `cannot parse ${JSON.stringify(rest)} as ".000000"`;
}
