import { describe, expect, it } from 'vitest';
import type { WorkloadHealthPort } from '../../ports/kubernetes.js';
import type { CustomGateConfig } from '../config/gates-schema.js';
import { customChecksFrom } from './custom-checks.js';

const gate: CustomGateConfig = {
  name: 'flux-ready',
  apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
  resource: 'kustomizations',
  namespace: 'flux-system',
  resourceName: 'cluster',
  expression: "object.status.conditions.exists(c, c.type == 'Ready' && c.status == 'True')",
};

function portsReturning(
  object: Record<string, unknown> | undefined,
  seen: unknown[] = [],
): WorkloadHealthPort {
  return {
    getResource: async (...args: unknown[]) => {
      seen.push(args);
      return object;
    },
  } as unknown as WorkloadHealthPort;
}

const kustomization = (status: string) => ({
  status: { conditions: [{ type: 'Ready', status }] },
});

describe('customChecksFrom', () => {
  it('reads the named resource and evaluates the expression over it', async () => {
    const seen: unknown[] = [];
    const check = customChecksFrom([gate])['flux-ready']!;
    expect(await check(portsReturning(kustomization('True'), seen))).toBe(true);
    expect(seen).toEqual([
      ['kustomize.toolkit.fluxcd.io/v1', 'kustomizations', 'flux-system', 'cluster'],
    ]);
    expect(await check(portsReturning(kustomization('False')))).toBe(false);
  });

  it('treats a missing resource as unknown (throws), never as a pass', async () => {
    const check = customChecksFrom([gate])['flux-ready']!;
    await expect(check(portsReturning(undefined))).rejects.toMatchObject({
      code: 'CUSTOM_GATE_OBJECT_MISSING',
    });
  });

  it('throws when the expression cannot be evaluated on the object (no pass by accident)', async () => {
    const check = customChecksFrom([gate])['flux-ready']!;
    await expect(check(portsReturning({ status: {} }))).rejects.toThrow();
  });
});
