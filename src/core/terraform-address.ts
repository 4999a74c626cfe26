/**
 * Terraform addresses as the CLI and `terraform show -json` print them (hashicorp/terraform
 * internal/addrs: module_instance.go, resource.go, instance_key.go, v1.11): a module path of
 * `module.NAME` steps, each with an optional instance key (`[0]`, `["a"]`), then a resource
 * `TYPE.NAME` or `data.TYPE.NAME` with its own optional key. A string key is an HCL quoted
 * string: `"`, `\` and control characters are escaped with a backslash, so a `.`, `[` or `]`
 * inside the quotes is part of the key, not a separator.
 */

/** The address split into its steps: names and instance keys (`[...]`, brackets kept). */
export function addressSteps(address: string): string[] | undefined {
  const steps: string[] = [];
  let i = 0;
  while (i < address.length) {
    if (address[i] === '[') {
      const end = keyEnd(address, i);
      if (end === undefined) return undefined;
      steps.push(address.slice(i, end));
      i = end;
    } else {
      let j = i;
      while (j < address.length && address[j] !== '.' && address[j] !== '[') j++;
      if (j === i) return undefined;
      steps.push(address.slice(i, j));
      i = j;
    }
    if (i < address.length && address[i] === '.') {
      i++;
      if (i === address.length) return undefined;
    } else if (i < address.length && address[i] !== '[') return undefined;
  }
  return steps.length > 0 ? steps : undefined;
}

/** Index just past the `]` closing the key that opens at `start`, or undefined if malformed. */
function keyEnd(address: string, start: number): number | undefined {
  let i = start + 1;
  if (address[i] === '"') {
    i++;
    while (i < address.length && address[i] !== '"') i += address[i] === '\\' ? 2 : 1;
    if (i >= address.length) return undefined;
    i++;
  } else {
    while (i < address.length && /[0-9]/.test(address[i] ?? '')) i++;
    if (i === start + 1) return undefined;
  }
  return address[i] === ']' ? i + 1 : undefined;
}

/**
 * Whether `address` is `container` or lives inside it, step by step: a module instance holds its
 * resources, data sources and nested modules; a module call without a key holds all its
 * instances; a resource holds its count/for_each instances. `module.xy` is not inside
 * `module.x`, nor `module.x["ab"]` inside `module.x["a"]`. An address that does not parse is
 * inside nothing (a scope check then refuses it).
 */
export function isInside(address: string, container: string): boolean {
  const steps = addressSteps(address);
  const outer = addressSteps(container);
  if (!steps || !outer || outer.length > steps.length) return false;
  return outer.every((step, i) => steps[i] === step);
}
