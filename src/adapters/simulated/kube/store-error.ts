/**
 * The store's refusals, with the API server's messages (apimachinery pkg/api/errors: NotFound,
 * AlreadyExists, Conflict): the fake server turns them into Status answers, in-process callers
 * match on the code.
 */
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
  return new StoreError(404, 'NotFound', `${qualified(resource)} "${name}" not found`);
}

export function alreadyExistsError(resource: ResourceKey, name: string): StoreError {
  return new StoreError(409, 'AlreadyExists', `${qualified(resource)} "${name}" already exists`);
}

export function conflictError(resource: ResourceKey, name: string): StoreError {
  return new StoreError(
    409,
    'Conflict',
    `Operation cannot be fulfilled on ${qualified(resource)} "${name}": the object has been modified; please apply your changes to the latest version and try again`,
  );
}

/** `plural.group` (`plural` for core/v1), as the server's messages name a resource. */
function qualified(resource: ResourceKey): string {
  const slash = resource.indexOf('/');
  return slash < 0 ? resource : `${resource.slice(slash + 1)}.${resource.slice(0, slash)}`;
}
