/**
 * `talosctl image pull --namespace system -n <node> <image>` (cmd/talosctl/cmd/talos/image.go,
 * added in Talos 1.5; v1.10.9 / v1.11.6 unchanged): `--namespace system` is the containerd
 * namespace the upgrade's installer pulls into (internal/pkg/install/pull.go
 * PullAndValidateInstallerImage uses constants.SystemContainerdNamespace), not the default `cri`
 * of Kubernetes workloads. Silent on success; a failure is `error pulling image: ` and the
 * node's error, exit 1.
 */
import { talosctlError } from './talos-errors.js';
import type { TalosctlRunner } from './talosctl-runner.js';

/** An installer is a few hundred MB from the Image Factory. */
const IMAGE_PULL_MS = 10 * 60_000;

export async function pullImage(
  talosctl: TalosctlRunner,
  node: string,
  image: string,
  signal?: AbortSignal,
): Promise<void> {
  const result = await talosctl.run(
    ['image', 'pull', '--namespace', 'system', ...talosctl.target(node), image],
    IMAGE_PULL_MS,
    signal,
  );
  if (result.exitCode !== 0)
    throw talosctlError(
      'TALOS_IMAGE_PULL',
      'image pull',
      result.exitCode,
      result.stderr,
      'the pre-pull is only a head start: the upgrade pulls the image itself',
      { image },
    );
}
