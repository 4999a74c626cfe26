/**
 * SelfSubjectAccessReview (`kubectl auth can-i VERB RESOURCE`) and SelfSubjectRulesReview
 * (`kubectl auth can-i --list`), answered from the caller's own rules as the RBAC authorizer
 * would (k8s pkg/registry/authorization/selfsubjectaccessreview/rest.go,
 * selfsubjectrulesreview/rest.go). Both answer 201 with the review and its status.
 */
import {
  allowed,
  EVERY_AUTHENTICATED_USER,
  type FakeUser,
  type RequestAttributes,
} from './rbac.js';
import { PROTOBUF, protobufSpec } from './review-protobuf.js';
import { badRequest, type StatusResponse } from './status.js';

const GROUP = 'authorization.k8s.io';
const PATH =
  /^\/apis\/authorization\.k8s\.io\/v1\/(selfsubjectaccessreviews|selfsubjectrulesreviews)$/;

export function isReviewPath(pathname: string): string | undefined {
  return PATH.exec(pathname)?.[1];
}

export function answerReview(
  kind: string,
  user: FakeUser,
  raw: Buffer,
  contentType: string,
): StatusResponse {
  let body: { spec?: Record<string, unknown> };
  try {
    body = contentType.startsWith(PROTOBUF)
      ? { spec: protobufSpec(kind, raw) }
      : (JSON.parse(raw.toString('utf8')) as { spec?: Record<string, unknown> });
  } catch {
    return badRequest("couldn't get version/kind; json parse error: invalid JSON");
  }
  const spec = body.spec ?? {};
  return kind === 'selfsubjectaccessreviews' ? accessReview(user, spec) : rulesReview(user, spec);
}

/** `kubectl auth can-i VERB RESOURCE`: allowed or not, by the caller's own rules. */
function accessReview(user: FakeUser, spec: Record<string, unknown>): StatusResponse {
  const attrs = reviewedAttributes(spec);
  if (!attrs)
    return {
      code: 422,
      body: {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message:
          'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified',
        reason: 'Invalid',
        code: 422,
      },
    };
  const yes = allowed(user, attrs);
  return {
    code: 201,
    body: {
      kind: 'SelfSubjectAccessReview',
      apiVersion: `${GROUP}/v1`,
      metadata: { creationTimestamp: null },
      spec,
      status: yes
        ? {
            allowed: true,
            reason: `RBAC: allowed by ClusterRoleBinding "${user.binding}" of ClusterRole "${user.binding}" to User "${user.name}"`,
          }
        : { allowed: false },
    },
  };
}

/** The request an access review asks about: resource or non-resource attributes, else none. */
function reviewedAttributes(spec: Record<string, unknown>): RequestAttributes | undefined {
  const r = spec.resourceAttributes as Record<string, string> | undefined;
  const n = spec.nonResourceAttributes as { path?: string; verb?: string } | undefined;
  if (r)
    return {
      kind: 'resource',
      verb: r.verb ?? '',
      group: r.group ?? '',
      resource: r.resource ?? '',
      subresource: r.subresource || undefined,
      namespace: r.namespace || undefined,
      name: r.name || undefined,
    };
  return n ? { kind: 'path', verb: n.verb ?? '', path: n.path ?? '' } : undefined;
}

/** `kubectl auth can-i --list`: the caller's rules plus those every authenticated user has. */
function rulesReview(user: FakeUser, spec: Record<string, unknown>): StatusResponse {
  const rules = [...user.rules, ...EVERY_AUTHENTICATED_USER];
  return {
    code: 201,
    body: {
      kind: 'SelfSubjectRulesReview',
      apiVersion: `${GROUP}/v1`,
      metadata: { creationTimestamp: null },
      spec,
      status: {
        resourceRules: rules
          .filter((r) => r.resources !== undefined)
          .map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources })),
        nonResourceRules: rules
          .filter((r) => r.nonResourceURLs !== undefined)
          .map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
        incomplete: false,
      },
    },
  };
}
