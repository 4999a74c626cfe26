/**
 * The three patch formats built-in resources accept (json-patch, merge-patch, strategic merge).
 * Errors carry the status the real server answers with: 400 for an undecodable patch, 422 for
 * a JSON-patch operation that fails.
 */
export class PatchError extends Error {
  constructor(
    readonly code: 400 | 422,
    message: string,
  ) {
    super(message);
  }
}

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function applyJsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) {
    throw new PatchError(
      400,
      'error decoding patch: json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  }
  let doc = structuredClone(target);
  for (const op of patch as { op?: string; path?: string; from?: string; value?: Json }[]) {
    const path = op.path ?? '';
    switch (op.op) {
      case 'add':
        doc = put(doc, path, structuredClone(op.value), 'add');
        break;
      case 'replace':
        get(doc, path);
        doc = put(doc, path, structuredClone(op.value), 'replace');
        break;
      case 'remove':
        doc = remove(doc, path);
        break;
      case 'test':
        if (JSON.stringify(get(doc, path)) !== JSON.stringify(op.value))
          throw new PatchError(422, `testing value ${path} failed: test failed`);
        break;
      case 'move': {
        const value = get(doc, op.from ?? '');
        doc = put(remove(doc, op.from ?? ''), path, value, 'add');
        break;
      }
      case 'copy':
        doc = put(doc, path, structuredClone(get(doc, op.from ?? '')), 'add');
        break;
      default:
        throw new PatchError(422, `Unexpected kind: ${String(op.op)}`);
    }
  }
  return doc;
}

function tokens(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(422, `invalid JSON Pointer: ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function get(doc: Json, path: string): Json {
  let node = doc;
  for (const t of tokens(path)) {
    if (Array.isArray(node) && /^\d+$/.test(t) && Number(t) < node.length) node = node[Number(t)];
    else if (isObject(node) && t in node) node = node[t];
    else throw new PatchError(422, `doc is missing path: "${path}": missing value`);
  }
  return node;
}

function parentOf(doc: Json, path: string): { parent: Json; last: string } {
  const ts = tokens(path);
  const last = ts.pop();
  if (last === undefined) throw new PatchError(422, 'cannot operate on the document root');
  const parentPath = ts.map((t) => '/' + t.replace(/~/g, '~0').replace(/\//g, '~1')).join('');
  return { parent: get(doc, parentPath), last };
}

function put(doc: Json, path: string, value: Json, mode: 'add' | 'replace'): Json {
  if (path === '') return value;
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) {
    const index = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(index) || index < 0 || index > parent.length)
      throw new PatchError(422, `add operation does not apply: doc is missing path: "${path}"`);
    if (mode === 'add') parent.splice(index, 0, value);
    else parent[index] = value;
  } else if (isObject(parent)) parent[last] = value;
  else throw new PatchError(422, `doc is missing path: "${path}": missing value`);
  return doc;
}

function remove(doc: Json, path: string): Json {
  get(doc, path);
  const { parent, last } = parentOf(doc, path);
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  return doc;
}

export function applyMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return structuredClone(patch);
  const out: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/**
 * Merge keys of the list fields Drover and kubectl patch (from the built-in types' tags).
 * Node `spec.taints` and pod `spec.tolerations` are not here: they are `+listType=atomic` with
 * no patchStrategy (kubernetes/api core/v1/types.go, 1.33), so a patch replaces them whole.
 */
const MERGE_KEYS: Record<string, string> = {
  conditions: 'type',
  containers: 'name',
  initContainers: 'name',
  volumes: 'name',
  ownerReferences: 'uid',
  addresses: 'type',
};

export function applyStrategicMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) throw new PatchError(400, 'error decoding patch: not a JSON object');
  return strategic(target, patch);
}

function strategic(target: Json, patch: JsonObject): Json {
  if (patch.$patch === 'replace') {
    const { $patch: _ignored, ...rest } = patch;
    return structuredClone(rest);
  }
  const out: JsonObject = isObject(target) ? structuredClone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue; // $setElementOrder, $retainKeys: ordering hints only
    if (v === null) delete out[k];
    else if (isObject(v)) out[k] = strategic(out[k], v);
    else if (Array.isArray(v) && MERGE_KEYS[k] && Array.isArray(out[k]))
      out[k] = mergeList(out[k] as Json[], v, MERGE_KEYS[k] as string);
    else out[k] = structuredClone(v);
  }
  return out;
}

function mergeList(current: Json[], patch: Json[], key: string): Json[] {
  const out = structuredClone(current) as JsonObject[];
  for (const item of patch) {
    if (!isObject(item)) continue;
    const index = out.findIndex((o) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (index >= 0) out.splice(index, 1);
    } else if (index >= 0) out[index] = strategic(out[index], item) as JsonObject;
    else out.push(strategic({}, item) as JsonObject);
  }
  return out;
}
