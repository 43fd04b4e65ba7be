// Errors as the renderer sees them: every failure is an ErrorInfo (code, message, location) to show the user.
// Runtime twin of engine/model/errors.ts for the renderer, which may import engine code for types only.
import type { CaseLockInfo, ErrorCode, ErrorInfo, SourceLocation } from '../../engine/model/errors.ts';

export class ApiError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly location?: SourceLocation;
  readonly lock?: CaseLockInfo;
  constructor(info: ErrorInfo) {
    super(info.message);
    this.name = 'ApiError';
    this.code = info.code;
    if (info.location) this.location = info.location;
    const lock = lockOf(info);
    if (lock) this.lock = lock;
  }
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, ...(this.location ? { location: this.location } : {}), ...(this.lock ? { lock: this.lock } : {}) };
  }
}

function isErrorInfo(v: unknown): v is ErrorInfo {
  return typeof v === 'object' && v !== null && typeof (v as ErrorInfo).code === 'string' && typeof (v as ErrorInfo).message === 'string';
}

/** Who holds a locked case (E_CASE_LOCKED), when the host said so in a usable shape. */
function lockOf(info: ErrorInfo): CaseLockInfo | undefined {
  const l = (info as { lock?: unknown }).lock;
  if (info.code !== 'E_CASE_LOCKED' || typeof l !== 'object' || l === null) return undefined;
  const { pid, host, since } = l as Record<string, unknown>;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid)) return undefined;
  // The lock file's text, capped as the case store caps it: a name to show, not a page of it.
  return { pid, ...(typeof host === 'string' ? { host: host.slice(0, 256) } : {}), ...(typeof since === 'string' ? { since: since.slice(0, 256) } : {}) };
}

/** Any thrown value as an ErrorInfo, keeping code, location and a lock's owner when the host sent them. */
export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof ApiError) return err.toInfo();
  if (isErrorInfo(err)) {
    const lock = lockOf(err);
    return { code: err.code, message: err.message, ...(err.location ? { location: err.location } : {}), ...(lock ? { lock } : {}) };
  }
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
