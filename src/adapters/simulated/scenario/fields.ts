/** The field types the sections of a scenario share (schema.ts and its sections). */
import { z } from 'zod';
import { quantityValue } from '../../../core/quantity.js';

export const name = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/,
    'must be a DNS-1123 name (lower case, digits, - and .)',
  );
export const version = z
  .string()
  .regex(/^v?\d+\.\d+\.\d+$/, 'must be a version like 1.11.0')
  .transform((v) => v.replace(/^v/, ''));
export const seconds = z.number().nonnegative();

/** A Kubernetes resource quantity (core/quantity.ts): 500m, 1.5, 2Gi, 512M. */
export const quantity = z
  .string()
  .refine((q) => quantityValue(q) !== undefined, 'not a Kubernetes quantity (e.g. 500m, 2Gi)');
