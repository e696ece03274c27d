import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { Pump } from '../../src/scheduler/pump.js';

/** A pass that reports how many of its kind run at once, and can be held open. */
function watchedPass(rounds: number[]) {
  const w = { running: 0, most: 0, passes: 0, release: () => {}, started: Promise.resolve() };
  let started: () => void = () => {};
  w.started = new Promise<void>((r) => {
    started = r;
  });
  const pass = async () => {
    w.most = Math.max(w.most, ++w.running);
    const n = rounds[w.passes++] ?? 0;
    started();
    await new Promise<void>((r) => {
      w.release = r;
      if (w.passes > 1) r();
    });
    w.running--;
    return n;
  };
  return { w, pass };
}

describe('pump', () => {
  it('a wake during a drain (a message queued meanwhile) runs its pass after the drain, never beside it', async () => {
    const { w, pass } = watchedPass([1, 0, 0]);
    const pump = new Pump('test', pass, silentLogger);
    const drained = pump.drain();
    await w.started;
    pump.wake();
    w.release();
    expect(await drained).toBe(1);
    await pump.idle();
    expect(w.most).toBe(1);
    // The drain's two passes (1 handled, then 0), then the wake's pass.
    expect(w.passes).toBe(3);
  });
});
