/**
 * Label selectors, both forms: the structured one in objects (PDB spec.selector) and the
 * string one in query parameters (`labelSelector=a=b,c!=d,e in (x,y),!f`).
 */
export interface LabelSelectorObject {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** policy/v1 semantics: a missing selector matches nothing, an empty one everything. */
export function selectorMatches(
  selector: LabelSelectorObject | undefined | null,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    if (e.operator === 'In' && !(has && values.includes(l[e.key] as string))) return false;
    if (e.operator === 'NotIn' && has && values.includes(l[e.key] as string)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export type Requirement = (labels: Record<string, string>) => boolean;

/** Parses a query-string selector; throws Error with the server's message when malformed. */
export function parseLabelSelector(text: string): Requirement[] {
  const out: Requirement[] = [];
  for (const raw of splitTopLevel(text)) {
    const term = raw.trim();
    if (term === '') continue;
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^([\w./-]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const [, key, op, list] = m as unknown as [string, string, string, string];
      const values = list.split(',').map((v) => v.trim());
      out.push(
        op === 'in'
          ? (l) => key in l && values.includes(l[key] as string)
          : (l) => !(key in l) || !values.includes(l[key] as string),
      );
    } else if ((m = term.match(/^([\w./-]+)\s*(==|=|!=)\s*([\w.-]*)$/))) {
      const [, key, op, value] = m as unknown as [string, string, string, string];
      out.push(op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value);
    } else if ((m = term.match(/^!([\w./-]+)$/))) {
      const key = m[1] as string;
      out.push((l) => !(key in l));
    } else if ((m = term.match(/^([\w./-]+)$/))) {
      const key = m[1] as string;
      out.push((l) => key in l);
    } else {
      throw new Error(`unable to parse requirement: ${term}`);
    }
  }
  return out;
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}
