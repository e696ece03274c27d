/** Koa/Hono-style middleware: each calls next() at most once to pass control on. */
export type Middleware<C> = (ctx: C, next: () => Promise<void>) => Promise<void>;

export function compose<C>(middleware: Middleware<C>[]): (ctx: C) => Promise<void> {
  return (ctx) => {
    let last = -1;
    const run = async (i: number): Promise<void> => {
      if (i <= last) throw new Error('next() called multiple times in one middleware');
      last = i;
      const fn = middleware[i];
      if (fn) await fn(ctx, () => run(i + 1));
    };
    return run(0);
  };
}
