/**
 * The access reviews as kubectl posts them: protobuf, of which only the review's spec is read
 * (reviews.ts answers it).
 */
export const PROTOBUF = 'application/vnd.kubernetes.protobuf';

/**
 * kubectl posts these reviews as protobuf (its typed clients prefer it): the `k8s\0` envelope
 * holds a runtime.Unknown (field 2: the object's bytes). Only the spec's string fields are read
 * (k8s.io/api authorization/v1 generated.proto: SelfSubjectAccessReview.spec = 2;
 * ResourceAttributes namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7;
 * NonResourceAttributes path=1 verb=2; SelfSubjectRulesReviewSpec namespace=1).
 */
export function protobufSpec(kind: string, raw: Buffer): Record<string, unknown> {
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
