// Electron adapter: `{ok,res}` envelopes from the preload bridge become resolved or rejected promises.
import { describe, expect, it, vi } from 'vitest';
import { bridgeFromWindow, createElectronApi, type HopscopeBridge } from '../../../renderer/api/electron-api.ts';

describe('createElectronApi', () => {
  it('unwraps ok envelopes and rejects error envelopes with code and location', async () => {
    const bridge: HopscopeBridge = {
      call: vi.fn(async (channel: string) =>
        channel === 'app.info' ? { ok: true, res: { name: 'Hopscope' } } : { ok: false, error: { code: 'E_SECURITY', message: 'no', location: { file: 'x' } } },
      ),
      subscribe: vi.fn(() => () => {}),
      registerDropped: vi.fn(async () => ({ ok: true, res: { id: 'd1', name: 'f.csv', bytes: 1 } })),
    };
    const api = createElectronApi(bridge);
    await expect(api.call('app.info', {})).resolves.toEqual({ name: 'Hopscope' });
    await expect(api.call('files.pick', {})).rejects.toMatchObject({ code: 'E_SECURITY', message: 'no', location: { file: 'x' } });
    await expect(api.registerDropped!({ name: 'f.csv', size: 1 })).resolves.toEqual({ id: 'd1', name: 'f.csv', bytes: 1 });
    expect(bridge.call).toHaveBeenCalledWith('files.pick', {});
  });

  it('rejects a malformed reply instead of passing it on', async () => {
    const api = createElectronApi({ call: async () => 'nonsense', subscribe: () => () => {} });
    await expect(api.call('app.info', {})).rejects.toMatchObject({ code: 'E_PROTOCOL' });
  });

  it('finds the bridge only when it has call and subscribe', () => {
    expect(bridgeFromWindow({})).toBeNull();
    expect(bridgeFromWindow({ hopscope: { call: () => null } })).toBeNull();
    expect(bridgeFromWindow({ hopscope: { call: () => null, subscribe: () => null } })).not.toBeNull();
  });
});
