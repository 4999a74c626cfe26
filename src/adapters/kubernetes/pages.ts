/**
 * Lists in pages (limit + continue), as kubectl and client-go's pager do: a 5,000-node cluster
 * answers one unpaginated node list with tens of megabytes in one response, which the API
 * server builds in memory at once. A continue token is followed until the server returns none.
 */
import type { KubeClient } from './client.js';

/** Items per page: client-go's pager default (tools/pager, defaultPageSize). */
export const PAGE_SIZE = 500;

interface ListPage<T> {
  items: T[];
  metadata?: { _continue?: string };
}

export async function listAllPages<T>(
  client: KubeClient,
  what: string,
  fetchPage: (page: { limit: number; _continue: string | undefined }) => Promise<ListPage<T>>,
): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined;
  do {
    const page: ListPage<T> = await client.read(what, () =>
      fetchPage({ limit: PAGE_SIZE, _continue: next }),
    );
    out.push(...page.items);
    next = page.metadata?._continue || undefined;
  } while (next);
  return out;
}
