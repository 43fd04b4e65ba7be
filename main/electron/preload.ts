// The sandboxed preload: a tiny façade exposing `window.hopscope` = { call, subscribe, registerDropped } (checklist #20).
// Invariant: page script never gets ipcRenderer, an IpcRendererEvent, or a channel outside the API contract.
// Failures reject with a plain `ErrorInfo` ({code, message}) because contextBridge strips custom Error properties.

import { contextBridge, ipcRenderer, webUtils } from 'electron';
import type { ErrorInfo } from '../../engine/model/errors.ts';
import type { FileLike, HostPush } from '../../engine/rpc/api.ts';
import { isChannel } from '../../engine/rpc/validate.ts';
import { IPC_CALL, IPC_PUSH, IPC_REGISTER_DROPPED, type IpcReply } from './ipc-channels.ts';

type Listener = (push: HostPush) => void;

const listeners = new Set<Listener>();

const errorInfo = (code: ErrorInfo['code'], message: string): ErrorInfo => Object.freeze({ code, message });

function unwrap(reply: unknown): unknown {
  const r = reply as IpcReply | null;
  if (r && r.ok === true) return r.res;
  if (r && r.ok === false && r.error) throw r.error;
  throw errorInfo('E_PROTOCOL', 'malformed reply from the host');
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
  call(channel: unknown, req: unknown): Promise<unknown> {
    if (!isChannel(channel)) return Promise.reject(errorInfo('E_PROTOCOL', `unknown channel ${String(channel).slice(0, 80)}`));
    return ipcRenderer.invoke(IPC_CALL, { channel, req }).then(unwrap);
  },
  subscribe(listener: unknown): () => void {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    const l = listener as Listener;
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  },
  registerDropped(file: FileLike): Promise<unknown> {
    let path: string;
    try {
      // Only a real File from a drop or an <input type=file> has a path; page script cannot forge one.
      path = webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
    } catch {
      return Promise.reject(errorInfo('E_USAGE', 'not a File'));
    }
    if (!path) return Promise.reject(errorInfo('E_USAGE', 'the dropped item is not a file on disk'));
    return ipcRenderer.invoke(IPC_REGISTER_DROPPED, path).then(unwrap);
  },
});

contextBridge.exposeInMainWorld('hopscope', api);
