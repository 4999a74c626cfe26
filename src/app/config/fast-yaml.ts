/**
 * A fast first reading of drover.yaml. The `yaml` library's Document parser (kept for the
 * file:line of every problem) costs ~0.6 s of CPU for a 5,000-node config, most of `drover
 * plan`'s time; js-yaml reads the same file in ~0.08 s. So a config is read with js-yaml first,
 * and load-config falls back to the Document parser whenever there is anything to report (a
 * syntax error, a schema or cross-field problem) or whenever the two parsers might disagree.
 *
 * They agree when js-yaml resolves plain scalars by YAML 1.2's core schema exactly as `yaml`
 * does (the types below use the core schema's own patterns, yaml/dist/schema/core/*.js in yaml
 * 2.x) and no key is something other than a non-null scalar (js-yaml and `yaml` turn a mapping,
 * a sequence or a null used as a key into different strings), and no tag or merge key is used.
 * `mayDiffer` refuses those texts conservatively: a false alarm costs only speed.
 */
import { FAILSAFE_SCHEMA, Type, load } from 'js-yaml';

const CORE_NULL = /^(?:~|[Nn]ull|NULL)?$/;
const CORE_BOOL = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_INT_OCT = /^0o[0-7]+$/;
const CORE_INT_HEX = /^0x[0-9a-fA-F]+$/;
const CORE_FLOAT_SPECIAL = /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
const CORE_FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

const coreNull = new Type('tag:yaml.org,2002:null', {
  kind: 'scalar',
  resolve: (data: string | null) => data === null || CORE_NULL.test(data),
  construct: () => null,
});
const coreBool = new Type('tag:yaml.org,2002:bool', {
  kind: 'scalar',
  resolve: (data: string | null) => data !== null && CORE_BOOL.test(data),
  construct: (data: string) => data[0] === 't' || data[0] === 'T',
});
const coreInt = new Type('tag:yaml.org,2002:int', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    data !== null && (CORE_INT.test(data) || CORE_INT_OCT.test(data) || CORE_INT_HEX.test(data)),
  construct: (data: string) =>
    CORE_INT_OCT.test(data)
      ? parseInt(data.slice(2), 8)
      : CORE_INT_HEX.test(data)
        ? parseInt(data.slice(2), 16)
        : parseInt(data, 10),
});
const coreFloat = new Type('tag:yaml.org,2002:float', {
  kind: 'scalar',
  resolve: (data: string | null) =>
    data !== null && (CORE_FLOAT_SPECIAL.test(data) || CORE_FLOAT.test(data)),
  construct: (data: string) => {
    if (data.endsWith('nan') || data.endsWith('NaN') || data.endsWith('NAN')) return NaN;
    if (/inf$/i.test(data)) return data.startsWith('-') ? -Infinity : Infinity;
    return parseFloat(data);
  },
});

// The order is the core schema's: null, bool, int, then float.
const CORE_SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [coreNull, coreBool, coreInt, coreFloat] });

const MAY_DIFFER = [
  /(^|[\s,[{])\?(\s|$)/m, // an explicit key (`? key`), which may be a collection
  /[\]}][ \t]*:(\s|$)/m, // a flow collection used as a key
  /\*\S+[ \t]*:(\s|$)/m, // an alias used as a key
  /(^|[\s,[{-])(~|null|Null|NULL)?[ \t]*:(\s|$)/m, // a null or empty key
  /(^|[\s,[{:-])!/m, // a tag
  /<</, // a merge key
];

/** True when js-yaml and the Document parser might read this text differently. */
export function mayDiffer(text: string): boolean {
  return MAY_DIFFER.some((pattern) => pattern.test(text));
}

/**
 * The value of a single-document YAML text as the `yaml` library's `toJS()` gives it, or
 * undefined when this fast reading cannot vouch for that (a syntax error, a duplicate key, a
 * construct where the parsers might differ): then read it with the Document parser.
 */
export function fastYamlValue(text: string): { value: unknown } | undefined {
  if (mayDiffer(text)) return undefined;
  try {
    const value = load(text, { schema: CORE_SCHEMA });
    // An empty document: `yaml` gives null, js-yaml undefined.
    return { value: value === undefined ? null : value };
  } catch {
    return undefined;
  }
}
