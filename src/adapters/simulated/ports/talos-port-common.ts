/**
 * What every simulated talosctl call shares: its error shape, whether a machine answers at its
 * address, the configured running machine there (or the error talosctl would print), and the
 * time a call takes on the world's clock.
 */
import type { CodeIn } from '../../../core/error-codes.js';
import { DroverError } from '../../../core/errors.js';
import { unreachable } from '../world/node-lookup.js';
import type { World } from '../world/world.js';

export function rpcError(code: CodeIn<'failed'>, message: string): DroverError {
  return new DroverError('failed', code, message);
}

/** A VM that is absent, stopped or between boots does not answer at its address. */
export function answers<T extends { phase: string }>(vm: T | undefined): vm is T {
  return vm !== undefined && !['booting', 'rebooting', 'stopped', 'installing'].includes(vm.phase);
}

export async function busy(world: World, seconds: number, signal?: AbortSignal): Promise<void> {
  await world.clock.sleep(Math.round(seconds * 1000), signal);
}

/** The configured, running machine at `address`, or the error talosctl would print. */
export function runningMachine(world: World, address: string) {
  const node = world.requireNodeByAddress(address);
  const vm = world.vm(node.name);
  const lingering = world.state.lingering[node.name];
  if (lingering && vm?.phase !== 'running') return { node, vm: lingering };
  if (!answers(vm)) throw unreachable(address);
  if (vm.phase === 'maintenance')
    throw rpcError(
      'TALOS_X509',
      `rpc error: code = Unavailable desc = connection error: desc = "transport: authentication handshake failed: tls: failed to verify certificate: x509: certificate signed by unknown authority"`,
    );
  return { node, vm };
}
