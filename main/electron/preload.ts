// The sandboxed preload: a tiny façade exposing `window.hopscope` = { call, subscribe, registerDropped } (checklist #20).
// Invariant: page script never gets ipcRenderer, an IpcRendererEvent, or a channel outside the API contract.
// Every call resolves to a `{ok,res}` / `{ok:false,error}` envelope (plain data survives contextBridge; Error fields would not).

import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { ErrorInfo } from '../../engine/model/errors.ts';
import type { FileLike, HostPush } from '../../engine/rpc/api.ts';
import { isChannel } from '../../engine/rpc/validate.ts';
import { IPC_CALL, IPC_PUSH, IPC_REGISTER_DROPPED, type IpcReply } from './ipc-channels.ts';

type Listener = (push: HostPush) => void;

const listeners = new Set<Listener>();

const refuse = (code: ErrorInfo['code'], message: string): IpcReply => ({ ok: false, error: { code, message } });

/** The main process answers with an envelope; anything else (or a missing handler) becomes an error envelope. */
function envelope(p: Promise<unknown>): Promise<IpcReply> {
  return p.then(
    (reply) => {
      const r = reply as IpcReply | null;
      if (r && typeof r === 'object' && (r.ok === true || (r.ok === false && typeof r.error === 'object' && r.error !== null))) return r;
      return refuse('E_PROTOCOL', 'malformed reply from the host');
    },
    () => refuse('E_INTERNAL', 'the host did not answer'),
  );
}

// One IPC listener for the page's whole lifetime; the event object stays here.
ipcRenderer.on(IPC_PUSH, (_event, push: HostPush) => {
  for (const listener of [...listeners]) {
    try {
      listener(push);
    } catch {
      // A failing page listener must not starve the others.
    }
  }
});

const api = Object.freeze({
  call(channel: unknown, req: unknown): Promise<IpcReply> {
    if (!isChannel(channel)) return Promise.resolve(refuse('E_PROTOCOL', `unknown channel ${String(channel).slice(0, 80)}`));
    return envelope(ipcRenderer.invoke(IPC_CALL, { channel, req }));
  },
  subscribe(listener: unknown): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const l = listener as Listener;
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  },
  registerDropped(file: FileLike): Promise<IpcReply> {
    let path: string;
    try {
      // Only a real File from a drop or an <input type=file> has a path; page script cannot forge one.
      path = webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
    } catch {
      return Promise.resolve(refuse('E_USAGE', 'not a File'));
    }
    if (!path) return Promise.resolve(refuse('E_USAGE', 'the dropped item is not a file on disk'));
    return envelope(ipcRenderer.invoke(IPC_REGISTER_DROPPED, path));
  },
});

contextBridge.exposeInMainWorld('hopscope', api);
