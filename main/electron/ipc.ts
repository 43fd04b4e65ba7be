// The one owner of `ipcMain`: every renderer message is checked for sender (checklist #17) and shape before the host sees it.
// Invariant: replies are `{ok,res}` / `{ok,error}` data, never thrown errors; only the app's main frame is answered.

import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { toErrorInfo, type ErrorInfo } from '../../engine/model/errors.ts';
import { validateRequest } from '../../engine/rpc/validate.ts';
import type { HostServiceLike } from './host-like.ts';
import { IPC_CALL, IPC_PUSH, IPC_REGISTER_DROPPED, type IpcReply } from './ipc-channels.ts';
import { isAppUrl } from './origin.ts';

export interface IpcOptions {
  /** The host answers every channel, `files.pick` included (its pickFiles hook shows the native dialog). */
  host: HostServiceLike;
}

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

const fail = (code: ErrorInfo['code'], message: string): IpcReply => ({ ok: false, error: { code, message } });

/** Checklist #17: the sender must be the top-level frame of its webContents and be served from `app://hopscope`. */
export function senderProblem(event: SenderEvent): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'sender frame is gone';
  const main = event.sender.mainFrame;
  if (frame.parent !== null) return 'sender is a sub-frame';
  if (frame !== main && frame.frameTreeNodeId !== main.frameTreeNodeId) return 'sender is not the main frame';
  if (!isAppUrl(frame.url)) return 'sender is not the app origin';
  return null;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export async function handleCall(opts: IpcOptions, event: SenderEvent, payload: unknown): Promise<IpcReply> {
  const who = senderProblem(event);
  if (who) return fail('E_SECURITY', `refused: ${who}`);
  if (!isPlainObject(payload) || Object.keys(payload).some((k) => k !== 'channel' && k !== 'req')) {
    return fail('E_PROTOCOL', 'payload must be {channel, req}');
  }
  const v = validateRequest(payload.channel, payload.req);
  if (!v.ok) return { ok: false, error: v.error };
  try {
    return { ok: true, res: await opts.host.call(v.channel, v.req) };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}

const MAX_PATH = 32_767;

/**
 * The path comes from preload's `webUtils.getPathForFile`, which page script cannot forge; this is the
 * second lock: an absolute local path (no UNC share, which would leak credentials on Windows) to a regular file.
 */
export async function handleRegisterDropped(opts: IpcOptions, event: SenderEvent, path: unknown): Promise<IpcReply> {
  const who = senderProblem(event);
  if (who) return fail('E_SECURITY', `refused: ${who}`);
  if (typeof path !== 'string' || path.length === 0 || path.length > MAX_PATH || path.includes('\0')) {
    return fail('E_PROTOCOL', 'dropped path must be a non-empty string');
  }
  if (!isAbsolute(path) || /^[\\/]{2}/.test(path)) return fail('E_PROTOCOL', 'dropped path must be an absolute local path');
  const st = await stat(path).catch(() => null);
  if (!st) return fail('E_IO', 'dropped file cannot be read');
  const folder = st.isDirectory() && opts.host.registerPaths !== undefined;
  if (!st.isFile() && !folder) return fail('E_IO', 'dropped item is not a regular file or a folder');
  try {
    // A folder opens as the log files below it (the host expands it and says what it passed over).
    if (folder) return { ok: true, res: await opts.host.registerPaths!([path], 'dropped') };
    return { ok: true, res: await opts.host.registerPath(path, 'dropped') };
  } catch (err) {
    return { ok: false, error: toErrorInfo(err) };
  }
}

/** Installs the two handlers; returns a function that removes them. */
export function registerIpc(opts: IpcOptions): () => void {
  ipcMain.handle(IPC_CALL, (event, payload: unknown) => handleCall(opts, event, payload));
  ipcMain.handle(IPC_REGISTER_DROPPED, (event, path: unknown) => handleRegisterDropped(opts, event, path));
  return () => {
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeHandler(IPC_REGISTER_DROPPED);
  };
}

/** Forwards host pushes to one window while it shows the app; unsubscribes when the contents is destroyed. */
export function attachPushes(host: HostServiceLike, contents: WebContents): () => void {
  const unsubscribe = host.subscribe((push) => {
    if (!contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(IPC_PUSH, push);
  });
  contents.once('destroyed', unsubscribe);
  return unsubscribe;
}
