/**
 * An error with a stable code; `message` is what a chat user reads (Simplified Chinese),
 * `usage` the command that would have worked.
 */
export class HuiyinError extends Error {
  readonly code: string;
  readonly usage: string | undefined;

  constructor(code: string, message: string, usage?: string) {
    super(message);
    this.name = 'HuiyinError';
    this.code = code;
    this.usage = usage;
  }
}

export const isHuiyinError = (e: unknown): e is HuiyinError => e instanceof HuiyinError;
