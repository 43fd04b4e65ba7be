// IPC channel names and reply shape shared by preload and main (pure: no electron, no Node).
// Invariant: the renderer reaches the main process through exactly these three channels.

import type { ErrorInfo } from '../../engine/model/errors.ts';

export const IPC_CALL = 'hopscope:call';
export const IPC_REGISTER_DROPPED = 'hopscope:registerDropped';
export const IPC_PUSH = 'hopscope:push';

/** What crosses back to the renderer: never a raw thrown Error. */
export type IpcReply = { ok: true; res: unknown } | { ok: false; error: ErrorInfo };
