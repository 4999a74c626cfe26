/**
 * Server-side printing (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which kubectl
 * asks for on `get`: Nodes and Pods get the real server's columns; other resources are answered
 * as plain objects, which kubectl prints with NAME and AGE only.
 */
import type { KubeObject } from '../store.js';
import type { ResourceDef } from './resources.js';

const TABLE_RESOURCES = new Set(['nodes', 'pods']);

export function wantsTable(accept: string, def: ResourceDef): boolean {
  return TABLE_RESOURCES.has(def.key) && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

type Column = { name: string; type: string; priority?: number; format?: string };
const col = (name: string, type = 'string', priority = 0, format = ''): Column =>
  ({ name, type, format, priority, description: '' }) as Column;

const NODE_COLUMNS = [
  col('Name', 'string', 0, 'name'),
  col('Status'),
  col('Roles'),
  col('Age'),
  col('Version'),
  col('Internal-IP', 'string', 1),
  col('External-IP', 'string', 1),
  col('OS-Image', 'string', 1),
  col('Kernel-Version', 'string', 1),
  col('Container-Runtime', 'string', 1),
];
const POD_COLUMNS = [
  col('Name', 'string', 0, 'name'),
  col('Ready'),
  col('Status'),
  col('Restarts', 'string'),
  col('Age'),
  col('IP', 'string', 1),
  col('Node', 'string', 1),
  col('Nominated Node', 'string', 1),
  col('Readiness Gates', 'string', 1),
];

export function asTable(
  def: ResourceDef,
  subject: Record<string, unknown>,
  nowMs: number,
): Record<string, unknown> {
  const isList = Array.isArray(subject.items);
  const objects = (isList ? subject.items : [subject]) as KubeObject[];
  const cells = def.key === 'nodes' ? nodeCells : podCells;
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: isList
      ? subject.metadata
      : { resourceVersion: (subject as KubeObject).metadata.resourceVersion },
    columnDefinitions: def.key === 'nodes' ? NODE_COLUMNS : POD_COLUMNS,
    rows: objects.map((o) => ({
      cells: cells(o, nowMs),
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata },
    })),
  };
}

function nodeCells(n: KubeObject, nowMs: number): unknown[] {
  const status = (n.status ?? {}) as {
    conditions?: { type: string; status: string }[];
    nodeInfo?: Record<string, string>;
    addresses?: { type: string; address: string }[];
  };
  const ready = status.conditions?.find((c) => c.type === 'Ready')?.status;
  let state = ready === 'True' ? 'Ready' : ready === 'False' ? 'NotReady' : 'Unknown';
  if (n.spec?.unschedulable) state += ',SchedulingDisabled';
  const roles = Object.keys(n.metadata.labels ?? {})
    .filter((l) => l.startsWith('node-role.kubernetes.io/'))
    .map((l) => l.slice('node-role.kubernetes.io/'.length))
    .sort();
  const address = (type: string) =>
    status.addresses?.find((a) => a.type === type)?.address ?? '<none>';
  const info = status.nodeInfo ?? {};
  return [
    n.metadata.name,
    state,
    roles.length ? roles.join(',') : '<none>',
    age(n, nowMs),
    info.kubeletVersion ?? '',
    address('InternalIP'),
    address('ExternalIP'),
    info.osImage ?? '<unknown>',
    info.kernelVersion ?? '<unknown>',
    info.containerRuntimeVersion ?? '<unknown>',
  ];
}

function podCells(p: KubeObject, nowMs: number): unknown[] {
  const spec = (p.spec ?? {}) as { containers?: unknown[]; nodeName?: string };
  const status = (p.status ?? {}) as {
    phase?: string;
    reason?: string;
    podIP?: string;
    nominatedNodeName?: string;
    containerStatuses?: { ready?: boolean; restartCount?: number }[];
  };
  const statuses = status.containerStatuses;
  const total = spec.containers?.length ?? 0;
  const readyConditionTrue =
    Array.isArray(p.status?.conditions) &&
    (p.status.conditions as { type: string; status: string }[]).some(
      (c) => c.type === 'Ready' && c.status === 'True',
    );
  const readyCount = statuses
    ? statuses.filter((s) => s.ready).length
    : readyConditionTrue
      ? total
      : 0;
  const restarts = statuses?.reduce((sum, s) => sum + (s.restartCount ?? 0), 0) ?? 0;
  const phase = p.metadata.deletionTimestamp
    ? 'Terminating'
    : (status.reason ?? status.phase ?? 'Pending');
  return [
    p.metadata.name,
    `${readyCount}/${total}`,
    phase,
    restarts,
    age(p, nowMs),
    status.podIP ?? '<none>',
    spec.nodeName ?? '<none>',
    status.nominatedNodeName ?? '<none>',
    '<none>',
  ];
}

function age(o: KubeObject, nowMs: number): string {
  return humanDuration(Math.floor((nowMs - Date.parse(o.metadata.creationTimestamp)) / 1000));
}

/** kubectl's k8s.io/apimachinery duration.HumanDuration. */
export function humanDuration(seconds: number): string {
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8)
    return hours % 24 === 0
      ? `${Math.floor(hours / 24)}d`
      : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8)
    return `${Math.floor(hours / 24 / 365)}y${Math.floor(hours / 24) % 365}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}
