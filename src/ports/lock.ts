/** One upgrade per cluster at a time (a Kubernetes Lease in production). */
export interface LockHolder {
  identity: string;
  /** Epoch ms the holder last renewed. */
  renewedAt: number | undefined;
  ttlSeconds: number;
}

export type LockAcquireResult =
  { acquired: true; tookOverFrom?: LockHolder } | { acquired: false; holder: LockHolder };

export interface LockPort {
  acquire(identity: string, ttlSeconds: number): Promise<LockAcquireResult>;
  renew(identity: string): Promise<void>;
  release(identity: string): Promise<void>;
}
