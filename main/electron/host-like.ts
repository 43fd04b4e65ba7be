// The shape of main/host's HostService as the Electron shell uses it; injected, so the shell tests with a fake.
// Invariant: the shell never reaches into host internals; it calls, subscribes, registers paths and closes.

import type { Channel, EvidenceHandle, HostPush } from '../../engine/rpc/api.ts';

export type RegisterHow = 'picked' | 'dropped' | 'cli' | 'upload';

export interface HostServiceLike {
  /** Validates again and answers one API call. */
  call(channel: Channel, req: unknown): Promise<unknown>;
  subscribe(listener: (push: HostPush) => void): () => void;
  /** Allows the host to read one file the user chose; returns the handle the renderer may use. */
  registerPath(path: string, how: RegisterHow): EvidenceHandle | Promise<EvidenceHandle>;
  /** Files, and folders as the log files below them (a dropped KAPE winevt/Logs). */
  registerPaths?(paths: readonly string[], how: RegisterHow): Promise<EvidenceHandle[]>;
  close(): Promise<void>;
}
