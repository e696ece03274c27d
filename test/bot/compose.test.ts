import { describe, expect, it } from 'vitest';
import { compose, type Middleware } from '../../src/bot/compose.js';

type Ctx = { seen: string[] };
/** A middleware that records itself before and after passing control on. */
const around =
  (name: string): Middleware<Ctx> =>
  async (ctx, next) => {
    ctx.seen.push(`${name}>`);
    await next();
    ctx.seen.push(`<${name}`);
  };

describe('compose', () => {
  it('runs the middleware in order, each around the rest of the chain', async () => {
    const ctx: Ctx = { seen: [] };
    await compose([around('a'), around('b'), around('c')])(ctx);
    expect(ctx.seen).toEqual(['a>', 'b>', 'c>', '<c', '<b', '<a']);
  });

  it('an empty chain, and a last middleware calling next(), do nothing more', async () => {
    const ctx: Ctx = { seen: [] };
    await compose<Ctx>([])(ctx);
    await compose([around('only')])(ctx);
    expect(ctx.seen).toEqual(['only>', '<only']);
  });

  it('a middleware that does not call next() stops the chain there', async () => {
    const ctx: Ctx = { seen: [] };
    const stop: Middleware<Ctx> = async (c) => {
      c.seen.push('stop');
    };
    await compose([around('a'), stop, around('never')])(ctx);
    expect(ctx.seen).toEqual(['a>', 'stop', '<a']);
  });

  it('calling next() twice is an error, and the rest of the chain ran once', async () => {
    const ctx: Ctx = { seen: [] };
    const twice: Middleware<Ctx> = async (_c, next) => {
      await next();
      await next();
    };
    await expect(compose([twice, around('b')])(ctx)).rejects.toThrow(
      'next() called multiple times in one middleware',
    );
    expect(ctx.seen).toEqual(['b>', '<b']);
  });

  it('an error thrown down the chain reaches the caller, through the middleware that awaited it', async () => {
    const ctx: Ctx = { seen: [] };
    const failing: Middleware<Ctx> = async () => {
      throw new Error('handler failed');
    };
    let caughtByA: unknown;
    const a: Middleware<Ctx> = async (_c, next) => {
      try {
        await next();
      } catch (err) {
        caughtByA = err;
        throw err;
      }
    };
    await expect(compose([a, around('b'), failing])(ctx)).rejects.toThrow('handler failed');
    expect((caughtByA as Error).message).toBe('handler failed');
    // b never got past its next(): its after-part did not run.
    expect(ctx.seen).toEqual(['b>']);
  });

  it('a middleware can catch an error from further down and end the chain normally', async () => {
    const ctx: Ctx = { seen: [] };
    const guard: Middleware<Ctx> = async (c, next) => {
      try {
        await next();
      } catch (err) {
        c.seen.push(`caught ${(err as Error).message}`);
      }
    };
    const failing: Middleware<Ctx> = async () => {
      throw new Error('boom');
    };
    await compose([guard, failing])(ctx);
    expect(ctx.seen).toEqual(['caught boom']);
  });
});
