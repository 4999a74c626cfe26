/** Gates and checks: etcd quorum and rejoin, API stability, pre-drain health, post checks, final validation. */
import {
  apiStableGate,
  combine,
  block,
  corednsGate,
  problemPodsGate,
  helmReleasesGate,
  validateCluster,
  wait,
  workloadGate,
  PASS,
} from '../../core/gates.js';
import type { GateDecision } from '../../core/gates.js';
import { etcdQuorumGate, etcdRejoinGate } from '../../core/gates-etcd.js';
import { workloadsGate } from '../../core/gates-workloads.js';
import type { StepContext, StepHandler } from '../context.js';
import { requireNode } from '../context.js';
import { GATE_READ } from '../../ports/kubernetes.js';
import { readEtcd } from '../etcd-reading.js';
import { runGate } from '../gate-runner.js';
import { othersInFlight, storageHealthDecision } from '../storage-health.js';

const COREDNS = { namespace: 'kube-system', name: 'coredns' };

export const gateEtcd: StepHandler<'gate-etcd'> = {
  async run(ctx) {
    const excluding = ctx.step.params.excluding ?? ctx.node?.name;
    const { checks } = await runGate(
      ctx,
      async () =>
        etcdQuorumGate(await readEtcd(ctx, excluding), {
          ...(excluding ? { excluding } : {}),
          expectedMembers: ctx.run.inventory.expectedEtcdMembers,
        }),
      {
        deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
        timeoutCode: 'ETCD_UNHEALTHY',
        category: 'refused',
        hint: 'Every other etcd member must answer healthy before a control plane node goes; repair the member and run again with --resume.',
      },
    );
    return { outcome: 'succeeded', data: { checks } };
  },
};

export const waitEtcdRejoin: StepHandler<'wait-etcd-rejoin'> = {
  async run(ctx) {
    const node = requireNode(ctx);
    const expectedMembers = ctx.step.params.expectedMembers;
    const { checks } = await runGate(
      ctx,
      async () => etcdRejoinGate(await readEtcd(ctx), { hostname: node.name, expectedMembers }),
      {
        deadlineSeconds: ctx.run.policy.timeouts.etcdRejoinSeconds,
        timeoutCode: 'ETCD_REJOIN_TIMEOUT',
        category: 'failed',
        // The fresh member syncs by itself: read steadily, not with a doubling delay.
        intervalSeconds: 3,
        steady: true,
        hint: `Check the etcd service of every member the message names (talosctl -n <address> service etcd) and talosctl -n ${node.address} etcd members; once all answer healthy, run again with --resume.`,
      },
    );
    return { outcome: 'succeeded', data: { checks } };
  },
};

export const gateApiStable: StepHandler<'gate-api-stable'> = {
  async run(ctx) {
    const required = ctx.step.params.passes;
    let streak = 0;
    const { checks } = await runGate(
      ctx,
      async () => {
        const ready = await ctx.run.kubernetes.workloadHealth.apiServerReady().catch(() => false);
        streak = ready ? streak + 1 : 0;
        return apiStableGate(streak, required);
      },
      {
        deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
        timeoutCode: 'API_NOT_STABLE',
        category: 'refused',
        hint: 'The API server must answer ready several times in a row before workers go; check the control plane.',
        intervalSeconds: 2,
      },
    );
    return { outcome: 'succeeded', data: { checks } };
  },
};

async function check(ctx: StepContext, name: string, phase: 'pre' | 'post'): Promise<GateDecision> {
  const k = ctx.run.kubernetes.workloadHealth;
  const others = othersInFlight(ctx);
  switch (name) {
    case 'coredns': {
      const status = await k.deploymentStatus(COREDNS.namespace, COREDNS.name, GATE_READ);
      return phase === 'pre'
        ? corednsGate(status, requireNode(ctx).name)
        : workloadGate('CoreDNS', status);
    }
    case 'ceph':
      return storageHealthDecision(ctx);
    case 'deployments': {
      // Availability by each workload's own status (a crash-looping pod is phase Running), plus
      // pods stuck before running. Pods of a node another unit has out wait Pending for it.
      const pods = await k.problemPods(GATE_READ);
      const relevant = others.length > 0 ? pods.filter((p) => p.phase !== 'Pending') : pods;
      return combine([
        workloadsGate(await k.workloadAvailability(GATE_READ), { excusedNodes: others }),
        problemPodsGate(relevant),
      ]);
    }
    case 'helmreleases':
      return helmReleasesGate(await k.helmReleases());
    default: {
      const custom = name.startsWith('custom:')
        ? ctx.run.customChecks[name.slice('custom:'.length)]
        : undefined;
      if (custom !== undefined) {
        const answer = await custom(ctx.run.kubernetes.workloadHealth, {
          ...(ctx.node ? { node: ctx.node.name } : {}),
          ...(ctx.run.signal ? { signal: ctx.run.signal } : {}),
        });
        if (typeof answer !== 'boolean') return answer;
        return answer ? PASS : wait(`${name} is false`);
      }
      return block(
        'CHECK_UNKNOWN',
        `check "${name}" is not known to this Drover (known: coredns, ceph, deployments, helmreleases, and the custom:<name> gates it was given)`,
      );
    }
  }
}

async function runChecks(ctx: StepContext<'gate-health' | 'post-checks'>, phase: 'pre' | 'post') {
  const names = ctx.step.params.checks;
  const { checks } = await runGate(
    ctx,
    async () => {
      const decisions: GateDecision[] = [];
      for (const name of names) {
        try {
          decisions.push(await check(ctx, name, phase));
        } catch (error) {
          decisions.push(
            wait(
              `${name}: read failed (unknown): ${error instanceof Error ? error.message : String(error)}`,
            ),
          );
        }
      }
      return combine(decisions);
    },
    {
      deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
      timeoutCode: phase === 'pre' ? 'HEALTH_GATE_BLOCKED' : 'POST_CHECKS_FAILED',
      category: phase === 'pre' ? 'refused' : 'failed',
      hint:
        phase === 'pre'
          ? 'The cluster was not healthy enough to take a node down; fix it and run again with --resume.'
          : 'Workloads did not settle after the node came back; inspect them, then run again with --resume.',
      // After the node is back its pods and OSDs come up by themselves within seconds: read
      // steadily rather than overshoot them by a doubling delay.
      ...(phase === 'post' ? { steady: true } : {}),
    },
  );
  return { outcome: 'succeeded' as const, data: { checks, names } };
}

export const gateHealth: StepHandler<'gate-health'> = { run: (ctx) => runChecks(ctx, 'pre') };
export const postChecks: StepHandler<'post-checks'> = { run: (ctx) => runChecks(ctx, 'post') };

export const validateClusterStep: StepHandler<'validate-cluster'> = {
  async run(ctx) {
    const k = ctx.run.kubernetes.workloadHealth;
    const nodeReads = ctx.run.kubernetes.nodeReads;
    const { talos, kubernetes, expectedNodes } = ctx.step.params;
    const gpuNodes = ctx.run.inventory.nodes.filter((n) => n.gpu).map((n) => n.name);
    const soft = <T>(p: Promise<T>) => p.catch(() => undefined);
    // A selected run (core/selection.ts) checks only its own nodes at the target.
    const versionNodes = ctx.step.params.targetNodes;
    let lastNodes: Awaited<ReturnType<typeof nodeReads.listNodes>> | undefined;
    const { checks } = await runGate(
      ctx,
      async () => {
        lastNodes = await soft(nodeReads.listNodes(GATE_READ));
        return validateCluster(
          {
            nodes: lastNodes,
            helmReleases: await soft(k.helmReleases()),
            problemPods: await soft(k.problemPods(GATE_READ)),
          },
          { expectedNodes, gpuNodes, talos, kubernetes, versionNodes },
        );
      },
      {
        deadlineSeconds: ctx.run.policy.timeouts.gateSeconds,
        timeoutCode: 'VALIDATION_FAILED',
        category: 'failed',
        hint: 'The upgrade ran but the cluster does not validate; the reason lists what is missing.',
      },
    );
    // Which nodes the run leaves below the target, as read live: the report's mixed versions.
    const notAtTarget = expectedNodes.filter(
      (name) => lastNodes?.find((n) => n.name === name)?.talosVersion !== talos,
    );
    return { outcome: 'succeeded', data: { checks, nodes: expectedNodes.length, notAtTarget } };
  },
};
