/** Storage maintenance flags (Ceph `noout` per failure domain) while an OSD node is away. */
export interface StoragePort {
  setNoout(domain: string, on: boolean): Promise<void>;
  nooutDomains(): Promise<string[]>;
}
