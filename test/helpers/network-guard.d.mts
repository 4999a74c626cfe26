export function isLoopback(host: string): boolean;
export function installNetworkGuard(onAttempt: (host: string) => void): void;
export const NETWORK_LOG_ENV: string;
