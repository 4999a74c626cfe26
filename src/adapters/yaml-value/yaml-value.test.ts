import { describe, expect, it } from 'vitest';
import { readYamlValue } from './yaml-value.js';

describe('readYamlValue', () => {
  const talenv =
    '# talhelper\ntalosVersion: v1.11.2\nkubernetesVersion: v1.34.1\ncluster:\n  kubernetes:\n    version: "1.33.0"\n';

  it('reads a top-level and a nested key with their lines', () => {
    expect(readYamlValue('talenv.yaml', talenv, 'kubernetesVersion')).toEqual({
      value: 'v1.34.1',
      line: 3,
    });
    expect(readYamlValue('talenv.yaml', talenv, 'cluster.kubernetes.version')).toEqual({
      value: '1.33.0',
      line: 6,
    });
  });

  it('answers null for an absent key, and the raw value for non-strings', () => {
    expect(readYamlValue('talenv.yaml', talenv, 'kubernetesVersionX')).toBeNull();
    expect(readYamlValue('talenv.yaml', talenv, 'talosVersion.x')).toBeNull();
    expect(readYamlValue('t.yaml', 'k: 1.34\n', 'k')).toEqual({ value: 1.34, line: 1 });
    expect(readYamlValue('t.yaml', 'k: [a]\n', 'k')?.value).toEqual(['a']);
  });

  it('rejects broken YAML as input', () => {
    expect(() => readYamlValue('t.yaml', 'k: [a\n', 'k')).toThrow(/t\.yaml is not valid YAML/);
  });
});
