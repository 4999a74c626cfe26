/**
 * One scalar from a YAML file, by key path (`kubernetesVersion`, or dotted `cluster.kubernetes`),
 * with its line for messages: talhelper keeps Kubernetes' version in talos/talenv.yaml.
 */
import { LineCounter, isMap, isScalar, parseDocument } from 'yaml';
import { DroverError } from '../../core/errors.js';

export interface YamlValue {
  readonly value: unknown;
  readonly line: number | null;
}

export function readYamlValue(file: string, text: string, keyPath: string): YamlValue | null {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false });
  if (document.errors.length > 0) {
    throw new DroverError(
      'input',
      'YAML_SYNTAX',
      `${file} is not valid YAML: ${document.errors[0]?.message ?? ''}`.trim(),
      {
        hint: 'fix the file, or point --kubernetes-file at the right one',
      },
    );
  }
  let node: unknown = document.contents;
  for (const key of keyPath.split('.')) {
    if (!isMap(node)) return null;
    const pair = node.items.find((item) => isScalar(item.key) && String(item.key.value) === key);
    if (!pair) return null;
    node = pair.value;
  }
  if (node === null || node === undefined) return { value: null, line: null };
  const range = (node as { range?: [number, number, number] }).range;
  const line = range ? lineCounter.linePos(range[0]).line : null;
  if (!isScalar(node)) {
    return { value: (node as { toJSON(): unknown }).toJSON(), line };
  }
  return { value: node.value, line };
}
