// Errors that cross layers carry a stable code and a location; never a bare string.

export interface SourceLocation {
  file?: string;
  line?: number;
  column?: number;
  record?: number;
  byteOffset?: number;
}

export type ErrorCode =
  | 'E_USAGE'
  | 'E_IO'
  | 'E_FORMAT'
  | 'E_RECORD'
  | 'E_TIME'
  | 'E_ENCODING'
  | 'E_RULE_PARSE'
  | 'E_RULE_UNSUPPORTED'
  | 'E_RULE_REGEX'
  | 'E_RULE_BUDGET'
  | 'E_PROTOCOL'
  | 'E_CANCELLED'
  | 'E_WORKER'
  | 'E_CASE'
  /** The case folder is locked by another Hopscope that looks alive; `lock` says who (issue 16 item 7). */
  | 'E_CASE_LOCKED'
  | 'E_SECURITY'
  | 'E_INTERNAL';

/** Who holds a case lock, as the analyst is shown it (E_CASE_LOCKED). */
export interface CaseLockInfo {
  pid: number;
  /** Host name the lock was taken on. */
  host?: string;
  /** When the lock was taken (ISO time, as the lock file says). */
  since?: string;
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  location?: SourceLocation;
  /** E_CASE_LOCKED only: the lock's owner. */
  lock?: CaseLockInfo;
}

export class HopscopeError extends Error implements ErrorInfo {
  readonly code: ErrorCode;
  readonly location?: SourceLocation;
  readonly lock?: CaseLockInfo;
  constructor(code: ErrorCode, message: string, location?: SourceLocation) {
    super(location ? `${message} (${formatLocation(location)})` : message);
    this.name = 'HopscopeError';
    this.code = code;
    this.location = location;
  }
  toInfo(): ErrorInfo {
    return { code: this.code, message: this.message, location: this.location, ...(this.lock ? { lock: { ...this.lock } } : {}) };
  }

  /** An E_CASE_LOCKED error naming the lock's owner. */
  static locked(message: string, lock: CaseLockInfo, location?: SourceLocation): HopscopeError {
    const err = new HopscopeError('E_CASE_LOCKED', message, location);
    (err as { lock?: CaseLockInfo }).lock = lock;
    return err;
  }

  /**
   * The error an `ErrorInfo` describes, e.g. after it crossed a worker or process boundary. Its message already
   * ends with the location (toInfo), so the location is attached without being written into the message again.
   */
  static fromInfo(info: ErrorInfo): HopscopeError {
    const err = new HopscopeError(info.code, info.message);
    if (info.location) (err as { location?: SourceLocation }).location = info.location;
    if (info.lock) (err as { lock?: CaseLockInfo }).lock = info.lock;
    return err;
  }
}

export function formatLocation(loc: SourceLocation): string {
  const parts: string[] = [];
  if (loc.file) parts.push(loc.file);
  if (loc.line !== undefined) parts.push(`line ${loc.line}${loc.column !== undefined ? `:${loc.column}` : ''}`);
  else if (loc.column !== undefined) parts.push(`column ${loc.column}`);
  if (loc.record !== undefined) parts.push(`record ${loc.record}`);
  if (loc.byteOffset !== undefined) parts.push(`byte ${loc.byteOffset}`);
  return parts.join(', ');
}

export function toErrorInfo(err: unknown): ErrorInfo {
  if (err instanceof HopscopeError) return err.toInfo();
  if (err instanceof Error) return { code: 'E_INTERNAL', message: err.message };
  return { code: 'E_INTERNAL', message: String(err) };
}
