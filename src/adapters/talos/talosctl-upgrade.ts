/**
 * Upgrades through talosctl: Talos on one node (progress only on stderr, a refusal told apart
 * from a dropped connection) and Kubernetes across the cluster (refused paths named).
 */
import { DroverError } from '../../core/errors.js';
import type { KubernetesUpgradeOptions, TalosUpgradeOptions } from '../../ports/talos.js';
import { talosctlError } from './talos-errors.js';
import type { TalosctlRunner } from './talosctl-runner.js';
import { parseProgressLine, summariseProgress, type UpgradeProgress } from './upgrade-progress.js';

/**
 * `-e NODE`: tracking reconnects to the node itself through its reboot (a VIP endpoint can
 * hang it, talos#11830). A failure may come after the node did upgrade: check its version.
 */
export async function upgradeNode(
  talosctl: TalosctlRunner,
  node: string,
  options: TalosUpgradeOptions,
): Promise<void> {
  const args = [
    'upgrade',
    '-n',
    node,
    '-e',
    node,
    '--image',
    options.image,
    '--wait',
    '--timeout',
    `${options.timeoutSeconds}s`,
  ];
  if (options.stage) args.push('--stage');
  if (options.rebootMode && options.rebootMode !== 'default')
    args.push('--reboot-mode', options.rebootMode);
  const progress: UpgradeProgress[] = [];
  let buffer = '';
  const result = await talosctl.run(
    args,
    options.timeoutSeconds * 1000 + talosctl.timeouts.upgradeGraceMs,
    options.signal,
    (stream, chunk) => {
      if (stream !== 'stderr') return;
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) {
        const event = parseProgressLine(line);
        if (!event) continue;
        progress.push(event);
        talosctl.options.onProgress?.(event);
      }
    },
  );
  if (result.exitCode === 0) return;
  const summary = summariseProgress(progress);
  const refused =
    progress.find((p) => p.node === node && /^rpc error: /.test(p.message)) ??
    refusalFrom(result.stderr, node);
  throw talosctlError(
    refused ? 'TALOS_UPGRADE_REJECTED' : 'TALOS_UPGRADE_FAILED',
    'upgrade',
    result.exitCode,
    result.stderr,
    refused
      ? 'the node refused the upgrade before starting it; fix the cause named above'
      : 'the connection may have dropped during the reboot and the node may have upgraded anyway: check its version before retrying',
    { progress: summary, ...(refused ? { transient: false } : {}) },
  );
}

export async function upgradeKubernetes(
  talosctl: TalosctlRunner,
  options: KubernetesUpgradeOptions,
): Promise<string> {
  const args = ['upgrade-k8s', ...talosctl.target(options.node), '--to', options.to];
  if (options.from) args.push('--from', options.from);
  if (options.dryRun) args.push('--dry-run');
  const result = await talosctl.run(
    args,
    talosctl.timeouts.upgradeKubernetesMs,
    options.signal,
    (stream, chunk) => {
      if (stream !== 'stdout') return;
      for (const line of chunk.split('\n'))
        if (line.trim())
          talosctl.options.onProgress?.({ node: options.node, message: line.trim() });
    },
  );
  if (result.exitCode === 0) return result.stdout;
  const text = `${result.stderr}\n${result.stdout}`;
  const path = /unsupported upgrade path [^\n]*/.exec(text);
  if (path) {
    throw new DroverError(
      'refused',
      'TALOS_K8S_UPGRADE_PATH',
      `talosctl upgrade-k8s refused: ${path[0].trim()}`,
      {
        hint: 'upgrade Kubernetes one minor at a time (same minor or +1), and never down',
      },
    );
  }
  const compat = /compatibility check failed[^\n]*/.exec(text);
  if (compat) {
    throw new DroverError(
      'refused',
      'TALOS_K8S_INCOMPATIBLE',
      `talosctl upgrade-k8s refused: ${compat[0].trim()}`,
      {
        hint: 'the target Kubernetes version is outside what the running Talos supports: upgrade Talos first',
      },
    );
  }
  throw talosctlError(
    'TALOS_K8S_UPGRADE_FAILED',
    'upgrade-k8s',
    result.exitCode,
    result.stderr || result.stdout,
    're-running is safe: components already at the target are skipped',
  );
}

function refusalFrom(stderr: string, node: string): UpgradeProgress | undefined {
  for (const line of stderr.split('\n')) {
    const p = parseProgressLine(line);
    if (p && p.node === node && /^rpc error: /.test(p.message)) return p;
  }
  return undefined;
}
