// AppState.takeOverCase (issue 16 item 7): after E_CASE_LOCKED the analyst may take the case over, which re-issues
// the very open that found it locked (files, sample, recent file, recent case with its relocations) with takeOver.
import { describe, expect, it } from 'vitest';
import { AppState } from '../../../renderer/state/app-state.svelte.ts';
import { FakeApi } from '../fake-api.ts';

const LOCKED = { code: 'E_CASE_LOCKED' as const, message: 'the case is open in another Hopscope process (pid 4242)', lock: { pid: 4242, host: 'FORENSIC-01' } };

async function started(api = new FakeApi()): Promise<{ api: FakeApi; app: AppState }> {
  const app = new AppState(api);
  await app.start();
  return { api, app };
}

describe('AppState: taking a locked case over', () => {
  it('re-issues case.open, openSample and openRecent with takeOver, the last open only', async () => {
    const { api, app } = await started();
    await app.openHandles(['h1', 'h2']);
    api.emit({ type: 'error', error: LOCKED });
    expect(app.errors[0]).toMatchObject({ code: 'E_CASE_LOCKED', lock: { pid: 4242, host: 'FORENSIC-01' } });
    await app.takeOverCase();
    expect(api.callsTo('case.open')).toEqual([{ handles: ['h1', 'h2'] }, { handles: ['h1', 'h2'], takeOver: true }]);
    // The locked error is answered: it leaves the banner.
    expect(app.errors.filter((e) => e.code === 'E_CASE_LOCKED')).toEqual([]);

    await app.openSample('lateral-movement');
    await app.takeOverCase();
    expect(api.callsTo('case.openSample')).toEqual([{ id: 'lateral-movement' }, { id: 'lateral-movement', takeOver: true }]);

    await app.openRecent('r1');
    await app.takeOverCase();
    expect(api.callsTo('case.openRecent')).toEqual([{ id: 'r1' }, { id: 'r1', takeOver: true }]);
    expect(api.callsTo('case.open')).toHaveLength(2);
    expect(api.callsTo('case.openSample')).toHaveLength(2);
  });

  it('re-issues case.reopen with its relocations and takeOver when the host refused it as locked', async () => {
    const api = new FakeApi();
    const orig = api.call.bind(api);
    api.call = (async (channel: string, req: { takeOver?: boolean }) => {
      if (channel === 'case.reopen' && !req.takeOver) {
        api.calls.push({ channel, req });
        throw Object.assign(new Error(LOCKED.message), LOCKED);
      }
      return orig(channel as never, req as never);
    }) as typeof api.call;
    const { app } = await started(api);
    const relocate = [{ sha256: 'a'.repeat(64), handle: 'h9' }];
    await app.reopenCase('c1', relocate);
    expect(app.errors).toHaveLength(1);
    expect(app.errors[0]).toMatchObject({ code: 'E_CASE_LOCKED', lock: { pid: 4242, host: 'FORENSIC-01' } });
    expect(app.screen).toBe('start');
    await app.takeOverCase();
    expect(api.callsTo('case.reopen')).toEqual([{ id: 'c1', relocate }, { id: 'c1', relocate, takeOver: true }]);
    expect(app.errors).toEqual([]);
    expect(app.screen).toBe('loading');
  });

  it('keeps other errors, and does nothing when nothing was opened', async () => {
    const { api, app } = await started();
    api.emit({ type: 'error', error: { code: 'E_IO', message: 'disk went away' } });
    api.emit({ type: 'error', error: LOCKED });
    const before = api.calls.length;
    await app.takeOverCase();
    expect(api.calls.length).toBe(before);
    expect(app.errors.map((e) => e.code)).toEqual(['E_IO']);
  });
});
