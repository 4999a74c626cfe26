/**
 * The resources the fake API server serves, as discovery lists them. `key` is the KubeStore
 * resource key. Only what Drover and kubectl use; anything else is a 404 like an unknown path.
 */
export interface ResourceDef {
  key: string;
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: string[];
  shortNames?: string[];
  /** Status is a subresource: writes to the main resource drop status changes, and vice versa. */
  statusSubresource: boolean;
  /** PUT without metadata.resourceVersion is allowed (Nodes); else 422. */
  unconditionalUpdate: boolean;
  /** PUT of a missing object creates it (Leases). */
  createOnUpdate: boolean;
  custom: boolean;
  /** Field selectors beyond metadata.name / metadata.namespace. */
  fields: string[];
}

const READ = ['get', 'list', 'watch'];
const WRITE = ['create', 'delete', 'patch', 'update'];

function def(
  d: Partial<ResourceDef> & Pick<ResourceDef, 'group' | 'version' | 'plural' | 'kind'>,
): ResourceDef {
  return {
    key: d.group === '' ? d.plural : `${d.group}/${d.plural}`,
    singular: d.kind.toLowerCase(),
    namespaced: true,
    verbs: [...READ, ...WRITE],
    statusSubresource: true,
    unconditionalUpdate: !d.custom,
    createOnUpdate: false,
    custom: false,
    fields: [],
    ...d,
  };
}

export const RESOURCES: readonly ResourceDef[] = [
  def({
    group: '',
    version: 'v1',
    plural: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
  }),
  def({
    group: '',
    version: 'v1',
    plural: 'nodes',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    fields: ['spec.unschedulable'],
  }),
  def({
    group: '',
    version: 'v1',
    plural: 'pods',
    kind: 'Pod',
    shortNames: ['po'],
    fields: [
      'spec.nodeName',
      'spec.restartPolicy',
      'spec.schedulerName',
      'spec.serviceAccountName',
      'spec.hostNetwork',
      'status.phase',
      'status.podIP',
      'status.podIPs',
      'status.nominatedNodeName',
    ],
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    kind: 'Deployment',
    shortNames: ['deploy'],
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'daemonsets',
    kind: 'DaemonSet',
    shortNames: ['ds'],
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    kind: 'StatefulSet',
    shortNames: ['sts'],
  }),
  def({
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
  }),
  def({
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    kind: 'PodDisruptionBudget',
    shortNames: ['pdb'],
  }),
  def({
    group: 'coordination.k8s.io',
    version: 'v1',
    plural: 'leases',
    kind: 'Lease',
    statusSubresource: false,
    unconditionalUpdate: false,
    createOnUpdate: true,
  }),
  def({
    group: 'ceph.rook.io',
    version: 'v1',
    plural: 'cephclusters',
    kind: 'CephCluster',
    custom: true,
  }),
  def({
    group: 'ceph.rook.io',
    version: 'v1',
    plural: 'cephblockpools',
    kind: 'CephBlockPool',
    custom: true,
  }),
  def({
    group: 'ceph.rook.io',
    version: 'v1',
    plural: 'cephfilesystems',
    kind: 'CephFilesystem',
    custom: true,
  }),
  def({
    group: 'ceph.rook.io',
    version: 'v1',
    plural: 'cephobjectstores',
    kind: 'CephObjectStore',
    custom: true,
  }),
  def({
    group: 'helm.toolkit.fluxcd.io',
    version: 'v2',
    plural: 'helmreleases',
    kind: 'HelmRelease',
    shortNames: ['hr'],
    custom: true,
  }),
];

export function findResource(
  group: string,
  version: string,
  plural: string,
): ResourceDef | undefined {
  return RESOURCES.find((r) => r.group === group && r.version === version && r.plural === plural);
}

export function groupVersion(r: Pick<ResourceDef, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}
