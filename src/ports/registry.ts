/**
 * The container registry an installer image comes from (the Image Factory, ghcr, a mirror): only
 * the question Drover asks before the first node goes down, whether the image exists.
 */
export type ImagePresence =
  | { readonly state: 'present'; readonly digest?: string }
  | { readonly state: 'missing'; readonly status: number }
  /** The registry did not answer the question (network, TLS, 5xx, auth refused): unknown. */
  | { readonly state: 'unreachable'; readonly reason: string };

export interface RegistryPort {
  /** Whether the manifest (an image index or a manifest) of `image` exists. Never throws. */
  manifest(image: string, signal?: AbortSignal): Promise<ImagePresence>;
}
