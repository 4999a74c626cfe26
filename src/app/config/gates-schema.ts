/**
 * The `gates` section of drover.yaml: where CoreDNS and the Ceph cluster are, and the custom
 * gates (a CEL expression over one resource, or a command).
 */
import { z } from 'zod';
import { dnsLabel, nodeName } from './config-fields.js';
import { CommandGateSchema } from './hooks-schema.js';

export const CelGateSchema = z.strictObject({
  name: dnsLabel.describe('Gate name, shown in plans as custom:<name>'),
  description: z.string().optional(),
  apiVersion: z
    .string()
    .regex(/^([a-z0-9.-]+\/)?v\d+[a-z0-9]*$/, 'must be like ceph.rook.io/v1 or v1')
    .describe('API version of the resource read'),
  resource: z
    .string()
    .regex(/^[a-z0-9.-]+$/, 'must be the plural resource name, e.g. cephclusters')
    .describe('Plural resource name'),
  namespace: dnsLabel.optional().describe('Namespace; omit for cluster-scoped resources'),
  resourceName: nodeName.describe('Name of the object read'),
  expression: z
    .string()
    .min(1)
    .describe('CEL expression over `object` (the resource as JSON); true means pass'),
});

/** A custom gate: a CEL expression over one resource, or a command whose exit status decides. */
export const CustomGateSchema = z.union([CelGateSchema, CommandGateSchema], {
  error:
    'must be a CEL gate (apiVersion, resource, resourceName, expression) or a command gate (command)',
});

export const GatesSchema = z
  .strictObject({
    coredns: z
      .strictObject({
        namespace: dnsLabel.default('kube-system'),
        deployment: dnsLabel.default('coredns'),
      })
      .default({ namespace: 'kube-system', deployment: 'coredns' }),
    ceph: z
      .strictObject({
        namespace: dnsLabel.default('rook-ceph'),
        cluster: dnsLabel.default('rook-ceph').describe('CephCluster name'),
        failureDomain: z
          .string()
          .regex(/^[a-z0-9_-]+$/, 'must be a CRUSH type name, e.g. host or rack')
          .optional()
          .describe(
            "CRUSH type of the nodes' storage domains, compared with the pools' failureDomain (default host)",
          ),
      })
      .default({ namespace: 'rook-ceph', cluster: 'rook-ceph' }),
    custom: z.array(CustomGateSchema).default([]),
  })
  .default({
    coredns: { namespace: 'kube-system', deployment: 'coredns' },
    ceph: { namespace: 'rook-ceph', cluster: 'rook-ceph' },
    custom: [],
  });

export type CustomGateConfig = z.output<typeof CustomGateSchema>;
export type CelGateConfig = z.output<typeof CelGateSchema>;
