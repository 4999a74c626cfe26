/**
 * The engine holds Kubernetes by role (docs/architecture.md, Layers): eslint.config.js refuses
 * the nodes-and-drain role outside the node cycle and cleanup, and the lock outside
 * run-upgrade.ts and lock-renewal.ts. Linted as text at the path it would live at.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function rulesBroken(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

const CORDON = `import type { RunState } from '../context.js';
export const f = (run: RunState) => run.kubernetes.nodes.cordon('w-1');
`;
const DESTRUCTURED = `import type { RunState } from '../context.js';
export const f = (run: RunState) => {
  const { nodes } = run.kubernetes;
  return nodes.cordon('w-1');
};
`;
const RENEW = `import type { RunState } from './context.js';
export const f = (run: RunState) => run.ports.lock.renew('me');
`;
const READ = `import type { RunState } from '../context.js';
export const f = (run: RunState) => run.kubernetes.nodeReads.listNodes();
`;

describe('the engine reaches Kubernetes by role (lint)', () => {
  it('a gate cannot cordon, by member or by destructuring', async () => {
    expect(await rulesBroken('src/engine/steps/gate-steps.ts', CORDON)).toEqual([
      expect.stringContaining('Only the node cycle and cleanup cordon or drain'),
    ]);
    expect(await rulesBroken('src/engine/steps/gate-steps.ts', DESTRUCTURED)).toHaveLength(1);
  });

  it('the node cycle may; anyone may read nodes', async () => {
    expect(await rulesBroken('src/engine/steps/node-steps.ts', CORDON)).toEqual([]);
    expect(await rulesBroken('src/engine/steps/gate-steps.ts', READ)).toEqual([]);
  });

  it('a drain cannot renew the lease; the renewal loop can', async () => {
    expect(await rulesBroken('src/engine/drain.ts', RENEW)).toEqual([
      expect.stringContaining('Only cluster-lock.ts and lock-renewal.ts'),
    ]);
    expect(await rulesBroken('src/engine/lock-renewal.ts', RENEW)).toEqual([]);
  });
});
