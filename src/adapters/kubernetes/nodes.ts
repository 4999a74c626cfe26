/**
 * Nodes: reads, cordon/uncordon as merge patches (client-node 1.x would otherwise send
 * application/json-patch+json, which a real server rejects for an object body), and waits on
 * a node through a watch.
 */
import { PatchStrategy, setHeaderOptions, type V1Node } from '@kubernetes/client-node';
import type { NodeView, WaitOptions } from '../../ports/kubernetes.js';
import { readOptional, type KubeClient } from './client.js';
import { listAllPages } from './pages.js';
import { toNodeView, type LooseNode } from './views.js';
import { waitWithWatch } from './watch-wait.js';

const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export async function getNode(client: KubeClient, name: string): Promise<NodeView | undefined> {
  const node = await readOptional(client, `GET node ${name}`, () => client.core.readNode({ name }));
  return node ? toNodeView(node as LooseNode) : undefined;
}

export async function listNodes(client: KubeClient): Promise<NodeView[]> {
  const nodes = await listAllPages<V1Node>(client, 'LIST nodes', (page) =>
    client.core.listNode(page),
  );
  return nodes.map((n) => toNodeView(n as LooseNode));
}

export async function setUnschedulable(
  client: KubeClient,
  name: string,
  unschedulable: boolean,
): Promise<void> {
  // null removes the field, as kubectl uncordon leaves it: absent when schedulable.
  const body = { spec: { unschedulable: unschedulable ? true : null } };
  await client.write(`PATCH node ${name} (${unschedulable ? 'cordon' : 'uncordon'})`, () =>
    client.core.patchNode({ name, body }, MERGE_PATCH),
  );
}

export function waitForNode(
  client: KubeClient,
  name: string,
  predicate: (node: NodeView | undefined) => boolean,
  options: WaitOptions,
): Promise<NodeView | undefined> {
  const fieldSelector = `metadata.name=${name}`;
  return waitWithWatch<{ node: NodeView | undefined }>({
    client,
    path: '/api/v1/nodes',
    query: { fieldSelector },
    list: async () => {
      const list = await client.core.listNode({ fieldSelector });
      return {
        items: list.items as V1Node[],
        resourceVersion: list.metadata?.resourceVersion ?? '',
      };
    },
    check: (objects) => {
      const raw = [...objects.values()][0];
      const node = raw ? toNodeView(raw as LooseNode) : undefined;
      return predicate(node) ? { node } : undefined;
    },
    timeoutMs: options.timeoutMs,
    signal: options.signal,
    what: `node ${name}`,
  }).then((r) => r.node);
}
