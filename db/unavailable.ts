/**
 * True when an error says the database could not be reached or did not answer (connection
 * refused, reset or closed, the server shutting down or refusing connections, a statement
 * cancelled by a timeout), as opposed to an error in what was asked of it. Looks through
 * wrappers (drizzle's query error keeps the driver's error as `cause`).
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && message.includes('PGlite is closed')) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const UNAVAILABLE_CODES = new Set([
  // Node sockets (postgres.js passes them on).
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  // postgres.js's own.
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  // SQLSTATE (class 08, connection exception, is matched by prefix): admin/crash shutdown,
  // cannot connect now, too many connections, and a statement cancelled (statement_timeout).
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '57014',
]);
