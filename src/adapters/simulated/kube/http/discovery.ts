/**
 * Legacy (unaggregated) discovery, as kubectl falls back to when the answer is plain
 * application/json: /api, /api/v1, /apis, /apis/<g>, /apis/<g>/<v>, and /version.
 * kubectl drain looks for `pods/eviction` (group policy, version v1) in /api/v1 to pick policy/v1.
 */
import type { KubeStore } from '../store.js';
import { groupVersion, RESOURCES, type ResourceDef } from './resources.js';

export function discovery(
  path: string,
  serverAddress: string,
): Record<string, unknown> | undefined {
  if (path === '/api') {
    return {
      kind: 'APIVersions',
      versions: ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
    };
  }
  if (path === '/apis') {
    return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(groupBody) };
  }
  if (path === '/api/v1') return resourceList('', 'v1');
  const m = path.match(/^\/apis\/([^/]+)(?:\/([^/]+))?$/);
  if (!m) return undefined;
  const [, group, version] = m as unknown as [string, string, string | undefined];
  if (version === undefined) {
    const g = groups().find((x) => x.group === group);
    return g ? { kind: 'APIGroup', apiVersion: 'v1', ...groupBody(g) } : undefined;
  }
  if (!RESOURCES.some((r) => r.group === group && r.version === version)) return undefined;
  return resourceList(group, version);
}

function groups(): { group: string; version: string }[] {
  const seen = new Map<string, string>();
  for (const r of RESOURCES) if (r.group !== '' && !seen.has(r.group)) seen.set(r.group, r.version);
  return [...seen].map(([group, version]) => ({ group, version }));
}

function groupBody(g: { group: string; version: string }): Record<string, unknown> {
  const gv = { groupVersion: `${g.group}/${g.version}`, version: g.version };
  return { name: g.group, versions: [gv], preferredVersion: gv };
}

function resourceList(group: string, version: string): Record<string, unknown> {
  const resources: Record<string, unknown>[] = [];
  for (const r of RESOURCES.filter((x) => x.group === group && x.version === version)) {
    resources.push(apiResource(r));
    if (r.statusSubresource) {
      resources.push({
        name: `${r.plural}/status`,
        singularName: '',
        namespaced: r.namespaced,
        kind: r.kind,
        verbs: ['get', 'patch', 'update'],
      });
    }
    if (r.plural === 'pods') {
      resources.push({
        name: 'pods/eviction',
        singularName: '',
        namespaced: true,
        group: 'policy',
        version: 'v1',
        kind: 'Eviction',
        verbs: ['create'],
      });
    }
  }
  return {
    kind: 'APIResourceList',
    ...(group === '' ? {} : { apiVersion: 'v1' }),
    groupVersion: groupVersion({ group, version }),
    resources,
  };
}

function apiResource(r: ResourceDef): Record<string, unknown> {
  return {
    name: r.plural,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    ...(r.shortNames ? { shortNames: r.shortNames } : {}),
  };
}

/** The server's version: the control plane's kubelet version, as a real cluster reports it. */
export function versionInfo(store: KubeStore): Record<string, unknown> {
  const nodes = store.list('nodes');
  const controlPlane =
    nodes.find((n) => n.metadata.labels?.['node-role.kubernetes.io/control-plane'] !== undefined) ??
    nodes[0];
  const info = controlPlane?.status?.nodeInfo as { kubeletVersion?: string } | undefined;
  const gitVersion = info?.kubeletVersion ?? 'v1.33.5';
  const [major = '1', minor = '33'] = gitVersion.replace(/^v/, '').split('.');
  return {
    major,
    minor,
    gitVersion,
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2025-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
