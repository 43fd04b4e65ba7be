// collectGarbage: a real full collection where Node allows it (an unreachable object is gone afterwards), and
// harmless to call repeatedly.
import { describe, expect, it } from 'vitest';
import { collectGarbage } from '../../../engine/node/gc.ts';

describe('collectGarbage', () => {
  it('collects an object nothing references any more', async () => {
    const make = (): WeakRef<object> => new WeakRef({ big: new Array(1000).fill('x') });
    const ref = make();
    // WeakRef targets stay alive until the current job ends.
    await new Promise((r) => setTimeout(r, 0));
    collectGarbage();
    expect(ref.deref()).toBeUndefined();
    expect(() => collectGarbage()).not.toThrow();
  });
});
