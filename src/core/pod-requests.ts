/**
 * A pod's effective requests, as the Kubernetes scheduler counts them (k8s.io/component-helpers
 * resource/helpers.go PodRequests): the sum over its containers, at least the largest init
 * container's, plus the pod overhead. Quantities as in the API (quantity.ts); a request that
 * cannot be read counts as none (the API server never stores one).
 */
import { cpuMillis, memoryBytes } from './quantity.js';

export interface Resources {
  cpuMillis: number;
  memoryBytes: number;
}

export const NO_RESOURCES: Resources = { cpuMillis: 0, memoryBytes: 0 };

interface ContainerSpec {
  resources?: { requests?: Record<string, unknown> };
}

export interface PodSpecLike {
  containers?: unknown;
  initContainers?: unknown;
  overhead?: unknown;
}

/** `cpu` and `memory` of one requests map (API quantity strings). */
export function resourcesOf(map: unknown): Resources {
  const m = (map ?? {}) as Record<string, unknown>;
  const read = (key: string, parse: (q: string) => number | undefined) =>
    typeof m[key] === 'string' || typeof m[key] === 'number' ? (parse(String(m[key])) ?? 0) : 0;
  return { cpuMillis: read('cpu', cpuMillis), memoryBytes: read('memory', memoryBytes) };
}

export function addResources(a: Resources, b: Resources): Resources {
  return { cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes };
}

export function podRequests(spec: PodSpecLike | undefined): Resources {
  const list = (v: unknown) => (Array.isArray(v) ? (v as ContainerSpec[]) : []);
  const each = (v: unknown) => list(v).map((c) => resourcesOf(c.resources?.requests));
  const sum = each(spec?.containers).reduce(addResources, NO_RESOURCES);
  const init = each(spec?.initContainers);
  const floor = {
    cpuMillis: Math.max(sum.cpuMillis, ...init.map((r) => r.cpuMillis)),
    memoryBytes: Math.max(sum.memoryBytes, ...init.map((r) => r.memoryBytes)),
  };
  return addResources(floor, resourcesOf(spec?.overhead));
}
