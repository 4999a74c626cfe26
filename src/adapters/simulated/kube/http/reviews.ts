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
  if (kind === 'selfsubjectaccessreviews') {
    const r = spec.resourceAttributes as Record<string, string> | undefined;
    const n = spec.nonResourceAttributes as { path?: string; verb?: string } | undefined;
    const attrs: RequestAttributes | undefined = r
      ? {
          kind: 'resource',
          verb: r.verb ?? '',
          group: r.group ?? '',
          resource: r.resource ?? '',
          subresource: r.subresource || undefined,
          namespace: r.namespace || undefined,
          name: r.name || undefined,
        }
      : n
        ? { kind: 'path', verb: n.verb ?? '', path: n.path ?? '' }
        : undefined;
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

const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * kubectl posts these reviews as protobuf (its typed clients prefer it): the `k8s\0` envelope
 * holds a runtime.Unknown (field 2: the object's bytes). Only the spec's string fields are read
 * (k8s.io/api authorization/v1 generated.proto: SelfSubjectAccessReview.spec = 2;
 * ResourceAttributes namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7;
 * NonResourceAttributes path=1 verb=2; SelfSubjectRulesReviewSpec namespace=1).
 */
function protobufSpec(kind: string, raw: Buffer): Record<string, unknown> {
  if (raw.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('not a k8s protobuf');
  const unknown = fields(raw.subarray(4));
  const object = fields(unknown.get(2)?.[0] ?? Buffer.alloc(0));
  const spec = fields(object.get(2)?.[0] ?? Buffer.alloc(0));
  const text = (m: Map<number, Buffer[]>, n: number) => m.get(n)?.[0]?.toString('utf8') ?? '';
  if (kind === 'selfsubjectrulesreviews') return { namespace: text(spec, 1) };
  const r = spec.get(1)?.[0];
  if (r) {
    const a = fields(r);
    const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
    return {
      resourceAttributes: Object.fromEntries(
        names.map((name, i) => [name, text(a, i + 1)]).filter(([, v]) => v !== ''),
      ),
    };
  }
  const n = spec.get(2)?.[0];
  if (n) {
    const a = fields(n);
    return { nonResourceAttributes: { path: text(a, 1), verb: text(a, 2) } };
  }
  return {};
}

/** Length-delimited fields of a protobuf message, by field number (varints are skipped). */
function fields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = (): number => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = buf[i++];
      if (byte === undefined) throw new Error('truncated protobuf');
      value += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return value;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const tag = varint();
    const wire = tag & 7;
    const field = Math.floor(tag / 8);
    if (wire === 0) varint();
    else if (wire === 2) {
      const len = varint();
      out.set(field, [...(out.get(field) ?? []), buf.subarray(i, i + len)]);
      i += len;
    } else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`protobuf wire type ${wire}`);
  }
  return out;
}
