/**
 * The field shapes drover.yaml's sections share: names, versions, paths, addresses, variable
 * NAMES and Terraform addresses, each with the message a user sees when one is wrong.
 */
import { z } from 'zod';

export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be lowercase letters, digits and dashes')
  .max(63);
export const nodeName = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    'must be a Kubernetes node name (lowercase letters, digits, dashes, dots)',
  )
  .max(253);
export const version = z
  .string()
  .regex(/^v?\d+\.\d+\.\d+$/, 'must be a version such as 1.11.0 (a leading v is allowed)');
export const path = z.string().min(1).describe('A file path, relative to this config file');
export const envName = z
  .string()
  .regex(
    /^[A-Z_][A-Z0-9_]*$/,
    'must be the NAME of an environment variable (A-Z, 0-9, _), never its value',
  );
export const address = z
  .string()
  .regex(
    /^([0-9]{1,3}(\.[0-9]{1,3}){3}|[0-9a-fA-F:]+:[0-9a-fA-F:.]*|[a-zA-Z0-9]([-a-zA-Z0-9.]*[a-zA-Z0-9])?)$/,
    'must be an IPv4 or IPv6 address or a hostname',
  );
/** A Terraform address, possibly with {name}, {host} or {flavor} placeholders. */
export const tfAddress = z
  .string()
  .regex(
    /^[a-zA-Z_{][\w{}-]*(\[[^\]]+\])?(\.[a-zA-Z_{][\w{}-]*(\[[^\]]+\])?)*$/,
    'must be a Terraform resource or module address such as module.worker_nodes["k8s-work-1"]',
  );
