/**
 * Authentication and RBAC as kube-apiserver answers them, for the fake server:
 * - a bearer token names a user; no token or an unknown one is 401 Unauthorized;
 * - the RBAC authorizer allows a request when a rule of the user's roles matches its verb, API
 *   group and resource (`pods/eviction` for a subresource) or its non-resource path; every
 *   authenticated user also has system:basic-user and system:discovery (self reviews, discovery,
 *   health and version paths; k8s plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go);
 * - a denial is 403 with the real Status text (apiserver pkg/endpoints/handlers/responsewriters
 *   errors.go forbiddenMessage; apimachinery pkg/api/errors NewForbidden).
 * DROVER_CLUSTER_ROLE is the ClusterRole docs/kubernetes.md documents (a test keeps them equal).
 */
import type { ResourcePath } from './routing.js';
import { statusFailure, type StatusResponse } from './status.js';

export interface PolicyRule {
  apiGroups?: string[];
  resources?: string[];
  nonResourceURLs?: string[];
  verbs: string[];
}

export interface FakeUser {
  name: string;
  /** Where its rules come from, for SelfSubjectAccessReview reasons. */
  binding: string;
  rules: PolicyRule[];
}

/** The ClusterRole of docs/kubernetes.md, rule for rule. */
export const DROVER_CLUSTER_ROLE: PolicyRule[] = [
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch', 'patch'] },
  { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch', 'delete'] },
  { apiGroups: [''], resources: ['pods/eviction'], verbs: ['create'] },
  {
    apiGroups: ['apps'],
    resources: ['deployments', 'statefulsets', 'daemonsets'],
    verbs: ['get', 'list'],
  },
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
  {
    apiGroups: ['ceph.rook.io'],
    resources: ['cephclusters', 'cephblockpools', 'cephfilesystems', 'cephobjectstores'],
    verbs: ['get', 'list'],
  },
  { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: ['get', 'list'] },
  { nonResourceURLs: ['/readyz'], verbs: ['get'] },
];

export const CLUSTER_ADMIN: PolicyRule[] = [
  { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
  { nonResourceURLs: ['*'], verbs: ['*'] },
];

/** system:basic-user and system:discovery, bound to every authenticated user. */
export const EVERY_AUTHENTICATED_USER: PolicyRule[] = [
  {
    apiGroups: ['authorization.k8s.io'],
    resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'],
    verbs: ['create'],
  },
  { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
  {
    nonResourceURLs: [
      '/api',
      '/api/*',
      '/apis',
      '/apis/*',
      '/healthz',
      '/livez',
      '/openapi',
      '/openapi/*',
      '/readyz',
      '/version',
      '/version/',
    ],
    verbs: ['get'],
  },
];

export type RequestAttributes =
  | {
      kind: 'resource';
      verb: string;
      group: string;
      resource: string;
      subresource?: string | undefined;
      namespace?: string | undefined;
      name?: string | undefined;
    }
  | { kind: 'path'; verb: string; path: string };

const has = (list: string[] | undefined, value: string) =>
  (list ?? []).some((x) => x === '*' || x === value);

function pathMatches(patterns: string[] | undefined, path: string): boolean {
  return (patterns ?? []).some(
    (p) => p === '*' || p === path || (p.endsWith('*') && path.startsWith(p.slice(0, -1))),
  );
}

export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.kind === 'path') return pathMatches(rule.nonResourceURLs, a.path);
  if (rule.resources === undefined) return false;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return (
    has(rule.apiGroups, a.group) &&
    (rule.resources.includes('*') ||
      rule.resources.includes(full) ||
      (a.subresource !== undefined && rule.resources.includes(`*/${a.subresource}`)))
  );
}

export function allowed(user: FakeUser, a: RequestAttributes): boolean {
  return [...user.rules, ...EVERY_AUTHENTICATED_USER].some((r) => ruleAllows(r, a));
}

/** The verb the API server derives from a request (apiserver pkg/endpoints/request/requestinfo.go). */
export function requestVerb(method: string, named: boolean, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return named ? 'get' : watch ? 'watch' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return named ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

/** The server's two identities: a cluster admin (tests arranging the world) and Drover. */
export function fakeUsers(adminToken: string, droverToken: string): Map<string, FakeUser> {
  return new Map<string, FakeUser>([
    [adminToken, { name: 'kubernetes-admin', binding: 'cluster-admin', rules: CLUSTER_ADMIN }],
    [
      droverToken,
      {
        name: 'system:serviceaccount:kube-system:drover',
        binding: 'drover',
        rules: DROVER_CLUSTER_ROLE,
      },
    ],
  ]);
}

/** The user a request's `Authorization: Bearer` header names, if the token is known. */
export function authenticate(
  users: ReadonlyMap<string, FakeUser>,
  authorization: string | undefined,
): FakeUser | undefined {
  return authorization?.startsWith('Bearer ') ? users.get(authorization.slice(7)) : undefined;
}

/** What the authorizer judges: the resource (verb, group, plural...) or the non-resource path. */
export function requestAttributes(
  method: string,
  url: URL,
  resource: ResourcePath | undefined,
): RequestAttributes {
  if (!resource) return { kind: 'path', verb: method.toLowerCase(), path: url.pathname };
  const watch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
  return {
    kind: 'resource',
    verb: requestVerb(method, resource.name !== undefined, watch),
    group: resource.def.group,
    resource: resource.def.plural,
    subresource: resource.subresource,
    namespace: resource.namespace,
    name: resource.name,
  };
}

export function unauthorized(): StatusResponse {
  return statusFailure(401, 'Unauthorized', 'Unauthorized');
}

export function forbidden(user: FakeUser, a: RequestAttributes): StatusResponse {
  if (a.kind === 'path')
    return statusFailure(
      403,
      'Forbidden',
      `forbidden: User "${user.name}" cannot ${a.verb} path "${a.path}"`,
    );
  const qualified = a.group === '' ? a.resource : `${a.resource}.${a.group}`;
  const full = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  const why = `User "${user.name}" cannot ${a.verb} resource "${full}" in API group "${a.group}" ${scope}`;
  return statusFailure(
    403,
    'Forbidden',
    a.name ? `${qualified} "${a.name}" is forbidden: ${why}` : `${qualified} is forbidden: ${why}`,
    {
      ...(a.name ? { name: a.name } : {}),
      ...(a.group ? { group: a.group } : {}),
      kind: a.resource,
    },
  );
}
