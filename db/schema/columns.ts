import { timestamp } from 'drizzle-orm/pg-core';

/** A timestamp with time zone, read as a Date: the only kind of time the schema stores. */
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
