/** Where Terraform state backups go before any VM is destroyed (S3, or the simulated cluster). */
export interface StoredObject {
  key: string;
  sha256: string;
  size: number;
}

export interface StateBackupPort {
  put(key: string, bytes: Uint8Array, signal?: AbortSignal): Promise<StoredObject>;
  get(key: string, signal?: AbortSignal): Promise<Uint8Array>;
}
