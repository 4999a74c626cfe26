/** Node reads, cordon/uncordon (scripted failures and virtual latency included) and node waits. */
import { DroverError } from '../../../../core/errors.js';
import type { NodeView, WaitOptions } from '../../../../ports/kubernetes.js';
import { StoreError } from '../../kube/store.js';
import { R } from '../../world/objects.js';
import type { World } from '../../world/world.js';
import { toNodeView } from '../kube-views.js';
import { waitFor } from './wait-for.js';

export async function getNode(world: World, name: string): Promise<NodeView | undefined> {
  const obj = world.store.getView(R.nodes, undefined, name);
  return obj ? toNodeView(obj) : undefined;
}

export async function listNodes(world: World): Promise<NodeView[]> {
  return world.store.listView(R.nodes).map(toNodeView);
}

export async function cordon(world: World, name: string): Promise<void> {
  await setUnschedulable(world, name, true);
}

export async function uncordon(world: World, name: string): Promise<void> {
  await setUnschedulable(world, name, false);
}

async function setUnschedulable(world: World, name: string, on: boolean): Promise<void> {
  world.failIfScripted(on ? 'cordon' : 'uncordon', name);
  await world.clock.sleep(world.ms(on ? 'cordon' : 'uncordon'));
  try {
    world.store.mutate(R.nodes, undefined, name, (n) => {
      const spec = (n.spec ??= {});
      if (on) spec.unschedulable = true;
      else delete spec.unschedulable;
    });
  } catch (error) {
    if (error instanceof StoreError && error.code === 404)
      throw new DroverError('failed', 'NODE_NOT_FOUND', `nodes "${name}" not found`, {
        cause: error,
      });
    throw error;
  }
}

export function waitForNode(
  world: World,
  name: string,
  predicate: (node: NodeView | undefined) => boolean,
  options: WaitOptions,
): Promise<NodeView | undefined> {
  const read = () => {
    const obj = world.store.getView(R.nodes, undefined, name);
    return obj ? toNodeView(obj) : undefined;
  };
  return waitFor(
    world,
    `node ${name}`,
    (e) => e === undefined || (e.resource === R.nodes && e.object.metadata.name === name),
    () => {
      const view = read();
      return predicate(view) ? { value: view } : undefined;
    },
    options,
  );
}
