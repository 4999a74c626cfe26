/**
 * Kubernetes resource quantities (k8s.io/apimachinery pkg/api/resource/quantity.go): a decimal
 * number, optionally in exponent form (`1e3`), with a binary suffix (Ki Mi Gi Ti Pi Ei) or a
 * decimal one (n u m "" k M G T P E). CPU is read in millicores (`500m`, `1.5`, `2`), memory in
 * bytes (`2Gi`, `512M`, `128974848`). Pure; an unreadable quantity is undefined, never 0.
 */
const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const FORM = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$/;

/** The quantity as a plain number of base units (cores, bytes), or undefined. */
export function quantityValue(quantity: string): number | undefined {
  const match = FORM.exec(quantity.trim());
  if (!match) return undefined;
  const [, number, exponent, suffix = ''] = match;
  const base = Number(number);
  if (exponent !== undefined) return base * 10 ** Number(exponent.slice(1));
  const factor = BINARY[suffix] ?? DECIMAL[suffix];
  return factor === undefined ? undefined : base * factor;
}

/** CPU in whole millicores, rounded up as the API server does (`0.1m` is 1m). */
export function cpuMillis(quantity: string): number | undefined {
  const value = quantityValue(quantity);
  return value === undefined ? undefined : Math.ceil(Math.round(value * 1e9) / 1e6);
}

/** Memory in whole bytes, rounded up. */
export function memoryBytes(quantity: string): number | undefined {
  const value = quantityValue(quantity);
  return value === undefined ? undefined : Math.ceil(value);
}
