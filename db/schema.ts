/**
 * The drizzle schema, one file per aggregate under schema/. This is its single entry:
 * drizzle.config.ts, the client and every query import the tables from here.
 */
export * from './schema/clocks.js';
export * from './schema/directory.js';
export * from './schema/items.js';
export * from './schema/queues.js';
export * from './schema/sandbox.js';
export * from './schema/wordings.js';
