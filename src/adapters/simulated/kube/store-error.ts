/**
 * The store's refusals, with the API server's messages (apimachinery pkg/api/errors: NotFound,
 * AlreadyExists, Conflict): the fake server turns them into Status answers, in-process callers
 * match on the code.
 */
import { qualifiedResource } from './http/status.js';
import type { ResourceKey } from './kube-object.js';

export class StoreError extends Error {
  constructor(
    readonly code: 404 | 409 | 422,
    readonly reason: 'NotFound' | 'AlreadyExists' | 'Conflict' | 'Invalid',
    message: string,
  ) {
    super(message);
  }
}

export function notFoundError(resource: ResourceKey, name: string): StoreError {
  return new StoreError(404, 'NotFound', `${qualifiedResource(resource).text} "${name}" not found`);
}

export function alreadyExistsError(resource: ResourceKey, name: string): StoreError {
  return new StoreError(
    409,
    'AlreadyExists',
    `${qualifiedResource(resource).text} "${name}" already exists`,
  );
}

export function conflictError(resource: ResourceKey, name: string): StoreError {
  return new StoreError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(resource).text} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}
