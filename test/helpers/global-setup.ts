import postgres from 'postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    pgUrl: string;
  }
}

/** Tests need a real Postgres besides PGlite: HUIYIN_TEST_PG_URL, else the local server. */
export default async function setup(project: TestProject) {
  const url = process.env.HUIYIN_TEST_PG_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
  const sql = postgres(url, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`select 1`;
  } catch (err) {
    throw new Error(
      `Postgres is not reachable at ${url} (${(err as Error).message}). Start PostgreSQL on 127.0.0.1:5432 ` +
        'with trust auth, or point HUIYIN_TEST_PG_URL at a server where this user may CREATE DATABASE.',
    );
  } finally {
    await sql.end();
  }
  project.provide('pgUrl', url);
}
