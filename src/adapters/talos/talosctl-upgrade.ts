/**
 * Upgrades through talosctl: Talos on one node (progress only on stderr, a refusal told apart
 * from a dropped connection) and Kubernetes across the cluster (refused paths named).
 */
import { DroverError } from '../../core/errors.js';
import type { KubernetesUpgradeOptions, TalosUpgradeOptions } from '../../ports/talos.js';
import { parseRemovedItems, removedItemsError } from './removed-items.js';
import { isTransientTalosError, talosctlError, talosctlErrorAs } from './talos-errors.js';
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
  throw upgradeFailure(result.exitCode, result.stderr, node, progress);
}

/**
 * Why `talosctl upgrade --wait` exited 1 (cmd/talosctl/pkg/talos/action/node.go and tracker.go
 * at v1.10.9 / v1.11.6). A `"<node>": rpc error: code = Unavailable` line (the boot-ID read or
 * the Upgrade call could not reach the node) or a stream that ends in `unavailable, retrying...`
 * (the tracker lost the node in its reboot and no closing line is guaranteed) mean the node is
 * unreachable, not that it refused: it may be rebooting, upgraded or rolled back, and only a
 * version and boot-ID read tells. Any other rpc error line is the node's synchronous refusal.
 */
export function upgradeFailure(
  exitCode: number,
  stderr: string,
  node: string,
  progress: readonly UpgradeProgress[] = progressOf(stderr),
): DroverError {
  const summary = summariseProgress(progress);
  // Where it stopped is at the end of the stream, not at its start (actor ID, sequence start).
  const tail = stderr
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-4)
    .join('\n');
  const mine = progress.filter((p) => p.node === node);
  const rpc = mine.find((p) => /^rpc error: /.test(p.message));
  const unavailableRpc = rpc !== undefined && /code = Unavailable/.test(rpc.message);
  const endsRetrying = /^unavailable, retrying/.test(mine.at(-1)?.message ?? '');
  if (unavailableRpc || endsRetrying || (rpc === undefined && summary.rebooting)) {
    return talosctlErrorAs(
      'TALOS_UPGRADE_UNREACHABLE',
      'upgrade',
      exitCode,
      tail,
      'talosctl lost the node (unreachable, not a refusal): it may be rebooting, upgraded or rolled back; read its version and boot ID before deciding anything, never upgrade it again blindly',
      { progress: summary, unreachable: true },
    );
  }
  if (rpc !== undefined) {
    return talosctlErrorAs(
      'TALOS_UPGRADE_REJECTED',
      'upgrade',
      exitCode,
      tail,
      'the node refused the upgrade before starting it; fix the cause named above',
      { progress: summary },
    );
  }
  // A drop the lines above did not name (connection reset, EOF) is still a lost node.
  return talosctlErrorAs(
    isTransientTalosError(tail) ? 'TALOS_UPGRADE_UNREACHABLE' : 'TALOS_UPGRADE_FAILED',
    'upgrade',
    exitCode,
    tail,
    "the upgrade failed; read the node's version and boot ID before retrying",
    { progress: summary },
  );
}

function progressOf(stderr: string): UpgradeProgress[] {
  return stderr.split('\n').flatMap((line) => parseProgressLine(line) ?? []);
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
  const removed = parseRemovedItems(result.stderr);
  if (removed.length > 0) throw removedItemsError(options.to, removed);
  throw talosctlError(
    'TALOS_K8S_UPGRADE_FAILED',
    'upgrade-k8s',
    result.exitCode,
    result.stderr || result.stdout,
    're-running is safe: components already at the target are skipped',
  );
}
