// HopscopeApi over the Electron preload bridge (`window.hopscope`), which answers with `{ok,res}|{ok,error}`
// envelopes; this adapter turns them into resolved or rejected promises.
import type { Channel, EvidenceHandle, FileLike, HopscopeApi, HostPush, Req, Res } from '../../engine/rpc/api.ts';
import { unwrapEnvelope } from './api-error.ts';

/** What preload exposes on `window.hopscope` (contextBridge); see main/electron/preload. */
export interface HopscopeBridge {
  call(channel: string, req: unknown): Promise<unknown>;
  subscribe(listener: (push: HostPush) => void): () => void;
  registerDropped?(file: FileLike): Promise<unknown>;
}

export function bridgeFromWindow(w: unknown): HopscopeBridge | null {
  const b = (w as { hopscope?: unknown } | undefined)?.hopscope as Partial<HopscopeBridge> | undefined;
  return b && typeof b.call === 'function' && typeof b.subscribe === 'function' ? (b as HopscopeBridge) : null;
}

/** Envelope or bare value: a bridge may resolve `registerDropped` either way. */
function unwrapMaybe<T>(v: unknown): T {
  return typeof v === 'object' && v !== null && 'ok' in v ? unwrapEnvelope<T>(v) : (v as T);
}

export function createElectronApi(bridge: HopscopeBridge): HopscopeApi {
  const api: HopscopeApi = {
    async call<C extends Channel>(channel: C, req: Req<C>): Promise<Res<C>> {
      return unwrapEnvelope<Res<C>>(await bridge.call(channel, req));
    },
    subscribe(listener) {
      return bridge.subscribe(listener);
    },
  };
  const reg = bridge.registerDropped;
  if (reg) api.registerDropped = async (file: FileLike) => unwrapMaybe<EvidenceHandle | EvidenceHandle[]>(await reg.call(bridge, file));
  return api;
}
