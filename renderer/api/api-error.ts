// Errors as the renderer sees them: every failure is an ErrorInfo (code, message, location) to show the user.
// Runtime twin of engine/model/errors.ts for the renderer, which may import engine code for types only.
import type { ErrorCode, ErrorInfo, SourceLocation } from '../../engine/model/errors.ts';

export class ApiError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly location?: SourceLocation;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
    if (info.location) this.location = info.location;
  }
  toInfo(): ErrorInfo {
    return this.location ? { code: this.code, message: this.message, location: this.location } : { code: this.code, message: this.message };
  }
}

function isErrorInfo(v: unknown): v is ErrorInfo {
  return typeof v === 'object' && v !== null && typeof (v as ErrorInfo).code === 'string' && typeof (v as ErrorInfo).message === 'string';
}

/** Any thrown value as an ErrorInfo, keeping code and location when the host sent them. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ApiError) return err.toInfo();
  if (isErrorInfo(err)) return err.location ? { code: err.code, message: err.message, location: err.location } : { code: err.code, message: err.message };
  if (err instanceof Error) return { code: 'E_INTERNAL', message: err.message };
  return { code: 'E_INTERNAL', message: String(err) };
}

/** `{ok, res}` / `{ok:false, error}` envelopes (preload and WebSocket) as a value or a thrown ApiError. */
export function unwrapEnvelope<T>(env: unknown): T {
  if (typeof env !== 'object' || env === null || !('ok' in env)) {
    throw new ApiError({ code: 'E_PROTOCOL', message: 'malformed response from host' });
  }
  const e = env as { ok: boolean; res?: unknown; error?: unknown };
  if (e.ok) return e.res as T;
  throw new ApiError(isErrorInfo(e.error) ? e.error : { code: 'E_INTERNAL', message: 'host reported an error without details' });
}
