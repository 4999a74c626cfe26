/**
 * The simulated `talosctl image pull --namespace system <image>` (cmd/talosctl/cmd/talos/image.go,
 * Talos >= 1.5): the node must answer on its Talos API; the image is pulled from the registry
 * the scenario describes (a missing one fails as containerd's resolver does, an unreachable
 * registry times out), takes a while, and is recorded on the node (world.state.pulledImages).
 */
import type { World } from '../world/world.js';
import { busy, rpcError, runningMachine } from './talos-port-common.js';
import { imageMissing } from './registry-port.js';

/** Virtual seconds a pull of an installer image takes (a few hundred MB from the factory). */
const PULL_SECONDS = 25;

export async function pullImage(
  world: World,
  address: string,
  image: string,
  signal?: AbortSignal,
): Promise<void> {
  const { node, vm } = runningMachine(world, address);
  const major = /^v?(\d+)\.(\d+)\./.exec(vm.version);
  if (major && Number(major[1]) === 1 && Number(major[2]) < 5)
    throw rpcError(
      'TALOS_IMAGE_PULL',
      `error pulling image: rpc error: code = Unimplemented desc = unknown method ImagePull for service machine.MachineService`,
    );
  if (world.context.scenario.registry.unreachable) {
    await busy(world, 30, signal);
    throw rpcError(
      'TALOS_IMAGE_PULL',
      `"${address}": error pulling image: failed to resolve reference "${image}": dial tcp: i/o timeout`,
    );
  }
  if (imageMissing(world, image))
    throw rpcError(
      'TALOS_IMAGE_PULL',
      `"${address}": error pulling image: rpc error: code = NotFound desc = failed to resolve reference "${image}": ${image}: not found`,
    );
  await busy(world, PULL_SECONDS, signal);
  const pulled = (world.state.pulledImages ??= {});
  pulled[node.name] = [...new Set([...(pulled[node.name] ?? []), image])];
  world.changed();
}
