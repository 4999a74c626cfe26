/** Node-level Kubernetes and storage steps: cordon, drain, noout, wait Ready, versions, GPUs, uncordon. */
import type { CodeIn } from '../../core/error-codes.js';
import { DroverError, isDroverError } from '../../core/errors.js';
import { combine, gpuReady, versionsMatch, wait, PASS } from '../../core/gates.js';
import type { NodeView } from '../../ports/kubernetes.js';
import type { StepContext, StepHandler } from '../context.js';
import { requireNode } from '../context.js';
import { drainNode } from '../drain.js';
import { runGate } from '../gate-runner.js';
import { othersAwayInDomain } from '../noout-count.js';

export const cordon: StepHandler = {
  async run(ctx) {
    const node = requireNode(ctx);
    await ctx.call('kubernetes.cordon', { node: node.name }, () =>
      ctx.run.kubernetes.nodes.cordon(node.name),
    );
    return { outcome: 'succeeded' };
  },
};

export const drain: StepHandler = {
  async run(ctx) {
    const node = requireNode(ctx);
    const result = await drainNode(ctx, node.name);
    return {
      outcome: 'succeeded',
      message: `${result.evicted.length} evicted, ${result.forced.length} forced`,
      data: {
        evicted: result.evicted.length,
        forced: result.forced.length,
        forcedPods: result.forced,
      },
    };
  },
};

export const nooutSet: StepHandler<'storage-noout-set'> = {
  async run(ctx) {
    const domain = ctx.step.params.domain;
    await ctx.call('storage.setNoout', { domain, on: true }, () =>
      ctx.run.ports.storage.setNoout(domain, true),
    );
    return { outcome: 'succeeded', data: { domain } };
  },
};

/** Reference-counted: the last OSD node of the domain to come back unsets it (invariant noout-while-away). */
export const nooutUnset: StepHandler<'storage-noout-unset'> = {
  async run(ctx) {
    const domain = ctx.step.params.domain;
    const away = await othersAwayInDomain(ctx.run, domain, ctx.node?.name);
    if (away.length > 0) {
      // Kept, and re-asserted: whoever cleared it meanwhile, the nodes still away need it.
      await ctx.call('storage.setNoout', { domain, on: true, reason: 'kept' }, () =>
        ctx.run.ports.storage.setNoout(domain, true),
      );
      return {
        outcome: 'succeeded',
        message: `Ceph noout kept on ${domain}: ${away.join(', ')} still out of service`,
        data: { domain, kept: true, away },
      };
    }
    await ctx.call('storage.setNoout', { domain, on: false }, () =>
      ctx.run.ports.storage.setNoout(domain, false),
    );
    return { outcome: 'succeeded', data: { domain } };
  },
};

async function waitForNode(
  ctx: StepContext,
  predicate: (n: NodeView | undefined) => boolean,
  seconds: number,
  code: CodeIn<'failed'>,
  what: string,
): Promise<NodeView | undefined> {
  const node = requireNode(ctx);
  try {
    return await ctx.run.kubernetes.nodes.waitForNode(node.name, predicate, {
      timeoutMs: seconds * 1000,
      ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
    });
  } catch (error) {
    if (ctx.run.signal?.aborted) throw error;
    if (isDroverError(error) && error.category === 'aborted') throw error;
    throw new DroverError('failed', code, `${node.name} ${what} within ${seconds}s`, {
      cause: error,
      hint: `Look at the node's console and services (talosctl -n ${node.address} dmesg / services).`,
    });
  }
}

/** Ready is the Ready condition; a cordoned node is still Ready. */
export const waitReady: StepHandler = {
  async run(ctx) {
    await waitForNode(
      ctx,
      (n) => n?.ready === 'True',
      ctx.run.policy.timeouts.nodeReadySeconds,
      'NODE_NOT_READY',
      'did not become Ready',
    );
    return { outcome: 'succeeded' };
  },
};

export const waitGpu: StepHandler = {
  async run(ctx) {
    await waitForNode(
      ctx,
      gpuReady,
      ctx.run.policy.timeouts.nodeReadySeconds,
      'GPU_NOT_READY',
      'did not report the GPU label and at least one allocatable GPU',
    );
    return { outcome: 'succeeded' };
  },
};

export function targetOf(ctx: StepContext): { talos: string; kubelet?: string } {
  const node = requireNode(ctx);
  // The unit this step belongs to: a multi-hop plan has one per hop, each with its own target.
  const units = ctx.run.plan.phases.flatMap((p) => p.units).filter((u) => u.node === node.name);
  const verify = (
    units.find((u) => u.steps.some((s) => s.id === ctx.step.id)) ?? units[0]
  )?.steps.find((s) => s.action === 'verify-version');
  const talos = verify?.params.talos ?? ctx.run.plan.to;
  const kubelet = verify?.params.kubelet;
  return kubelet === undefined ? { talos } : { talos, kubelet };
}

export const verifyVersion: StepHandler<'verify-version'> = {
  async run(ctx) {
    const node = requireNode(ctx);
    const { talos, kubelet } = ctx.step.params;
    await runGate(
      ctx,
      async () => {
        const [view, reported] = await Promise.all([
          ctx.run.kubernetes.nodes.getNode(node.name),
          ctx.run.ports.talos.version(node.address),
        ]);
        return combine([
          versionsMatch(view, { talos, kubelet }),
          reported === talos ? PASS : wait(`Talos API reports ${reported}, expected ${talos}`),
        ]);
      },
      {
        deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
        timeoutCode: 'VERSION_MISMATCH',
        category: 'failed',
        hint: 'The node came back at another version: check the template or installer image it was built from.',
      },
    );
    return { outcome: 'succeeded', data: { talos, ...(kubelet ? { kubelet } : {}) } };
  },
};

/** Invariant uncordon-when-done: uncordon only a Ready node at the target version (its checks ran before this step). */
export const uncordon: StepHandler = {
  async run(ctx) {
    const node = requireNode(ctx);
    const target = targetOf(ctx);
    const view = await ctx.call('kubernetes.getNode', { node: node.name }, () =>
      ctx.run.kubernetes.nodes.getNode(node.name),
    );
    const versions = versionsMatch(view, target);
    if (view?.ready !== 'True' || versions.verdict !== 'pass') {
      throw new DroverError(
        'failed',
        'UNCORDON_REFUSED',
        `${node.name} is not Ready at Talos ${target.talos}; it stays cordoned`,
        {
          hint: 'Invariant uncordon-when-done: a node is uncordoned only at the target version with its checks passed.',
          details: { ready: view?.ready ?? 'missing', talos: view?.talosVersion ?? null },
        },
      );
    }
    await ctx.call('kubernetes.uncordon', { node: node.name }, () =>
      ctx.run.kubernetes.nodes.uncordon(node.name),
    );
    return { outcome: 'succeeded' };
  },
};
