/** What `ctvs status` reports about the daemon, from either service manager. */
export interface ServiceState {
  /** The unit or plist path. */
  file: string;
  /** The file exists. */
  installed: boolean;
  /** The service manager knows the service. */
  loaded: boolean;
  /** systemd's ActiveState (active, failed, inactive, ...); launchd has none. */
  active?: string;
  pid?: number;
}
