// The one place that decides the transport: Electron preload bridge when present, else the browser-mode WebSocket.
// Components receive the resulting HopscopeApi as a prop, so tests pass an in-memory fake instead.
import type { HopscopeApi } from '../../engine/rpc/api.ts';
import { bridgeFromWindow, createElectronApi } from './electron-api.ts';
import { WsApi } from './ws-api.ts';

export type ApiMode = 'electron' | 'browser';

let cached: { api: HopscopeApi; mode: ApiMode } | null = null;

/** Token from the page URL (`/?token=`); the host also set an HttpOnly cookie for same-origin requests. */
export function pageToken(search: string = location.search): string {
  return new URLSearchParams(search).get('token') ?? '';
}

export function getApiWithMode(): { api: HopscopeApi; mode: ApiMode } {
  if (cached) return cached;
  const bridge = bridgeFromWindow(window);
  cached = bridge
    ? { api: createElectronApi(bridge), mode: 'electron' }
    : { api: new WsApi({ host: location.host, token: pageToken() }), mode: 'browser' };
  return cached;
}

export function getApi(): HopscopeApi {
  return getApiWithMode().api;
}
