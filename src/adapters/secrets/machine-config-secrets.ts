/**
 * SecretsPort over the inventory's machine config sources:
 *  - `sops-file`: the SOPS file at `ref` (relative to `baseDir`), decrypted by sops into memory;
 *  - `env-base64`: the environment variable named `ref`, base64 of the YAML (how CI secrets
 *    carry machine configs). The environment is injected, never read from process.env here.
 * Every value is registered with the Redactor; errors name the source, never its content.
 */
import { isAbsolute, join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { DroverError } from '../../core/errors.js';
import type { InventoryNode, MachineConfigSource } from '../../core/inventory.js';
import type { Redactor } from '../../core/redact.js';
import type { SecretsPort } from '../../ports/secrets.js';
import type { Decryptor } from '../sops/sops-decryptor.js';
import { registerConfigSecretValues } from './config-secret-values.js';

export interface MachineConfigSecretsOptions {
  sources: Record<string, MachineConfigSource>;
  env: Record<string, string | undefined>;
  sops: Decryptor;
  redactor: Redactor;
  /** Directory relative SOPS paths are resolved from (the config file's). */
  baseDir?: string;
}

export class MachineConfigSecrets implements SecretsPort {
  constructor(private readonly options: MachineConfigSecretsOptions) {}

  async machineConfig(node: InventoryNode, signal?: AbortSignal): Promise<string> {
    const source = this.options.sources[node.machineConfig];
    if (!source) {
      throw new DroverError(
        'input',
        'MACHINE_CONFIG_SOURCE_UNKNOWN',
        `node ${node.name} names machine config "${node.machineConfig}", which the config does not define`,
        {
          hint: `add machineConfigs.${node.machineConfig} to the Drover config`,
        },
      );
    }
    switch (source.kind) {
      case 'sops-file': {
        const path =
          isAbsolute(source.ref) || !this.options.baseDir
            ? source.ref
            : join(this.options.baseDir, source.ref);
        const config = await this.options.sops.decrypt(path, signal);
        validateMachineConfig(config, `SOPS file ${source.ref}`);
        registerConfigSecretValues(config, this.options.redactor);
        return config;
      }
      case 'env-base64':
        return this.fromEnvironment(source.ref);
      default:
        throw new DroverError(
          'input',
          'MACHINE_CONFIG_SOURCE_UNSUPPORTED',
          `machine config source kind "${source.kind}" is for the simulated cluster only`,
          {
            hint: 'use sops-file or env-base64 against a real cluster',
          },
        );
    }
  }

  private fromEnvironment(name: string): string {
    const raw = this.options.env[name];
    if (raw === undefined || raw.trim() === '') {
      throw new DroverError(
        'input',
        'SECRET_MISSING',
        `environment variable ${name} (a base64 machine config) is not set`,
        {
          hint: `pass ${name} to the runner as a secret (e.g. a GitHub Actions secret mapped into env)`,
        },
      );
    }
    this.options.redactor.add(raw);
    const compact = raw.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
      throw new DroverError(
        'input',
        'SECRET_INVALID',
        `environment variable ${name} is not base64`,
        {
          hint: `set ${name} to the output of \`base64 -w0 machine-config.yaml\``,
        },
      );
    }
    const config = Buffer.from(compact, 'base64').toString('utf8');
    this.options.redactor.add(config);
    validateMachineConfig(config, `environment variable ${name}`);
    registerConfigSecretValues(config, this.options.redactor);
    return config;
  }
}

/** A Talos machine config: YAML whose (first) v1alpha1 document has a `machine:` mapping. */
export function validateMachineConfig(config: string, source: string): void {
  const documents = parseAllDocuments(config);
  const list = Array.isArray(documents) ? documents : [documents];
  const broken = list.find((d) => d.errors.length > 0);
  if (broken) {
    // The parser's message quotes the text around the error: give only the position.
    const line = broken.errors[0]?.linePos?.[0]?.line;
    throw new DroverError(
      'input',
      'SECRET_INVALID',
      `${source} is not valid YAML${line ? ` (line ${line})` : ''}`,
      {
        hint: 'check that it holds the Talos machine config (talosctl gen config output)',
      },
    );
  }
  const hasMachine = list.some((d) => {
    const value: unknown = d.toJS();
    return (
      typeof value === 'object' &&
      value !== null &&
      typeof (value as { machine?: unknown }).machine === 'object' &&
      (value as { machine?: unknown }).machine !== null
    );
  });
  if (!hasMachine) {
    throw new DroverError(
      'input',
      'SECRET_INVALID',
      `${source} is YAML but not a Talos machine config (no machine: section)`,
      {
        hint: 'check that the right file or variable is referenced for this node',
      },
    );
  }
}
