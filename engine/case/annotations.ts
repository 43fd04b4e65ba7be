// Pure annotation model for findings and events: validation, change operations and merge.
// Invariant: documents are immutable values in canonical form (no empty annotations, sorted
// unique tags, comments ordered by time), so equal content serialises to equal bytes.

import { HopscopeError } from '../model/errors.ts';

export const ANNOTATION_STATUSES = ['new', 'investigating', 'confirmed-malicious', 'benign', 'false-positive'] as const;
export type AnnotationStatus = (typeof ANNOTATION_STATUSES)[number];

export interface AnnotationComment {
  author: string;
  /** ISO 8601 UTC time the comment was written. */
  atIso: string;
  text: string;
}

export interface Annotation {
  status: AnnotationStatus;
  /** Sorted, unique, trimmed. */
  tags: string[];
  /** Ordered by `atIso`, then author, then text. */
  comments: AnnotationComment[];
  star: boolean;
  /** Latest change time seen (drives last-writer-wins for status and star in `mergeDocs`). */
  updatedAtIso?: string;
}

/**
 * Finding annotations are keyed by `Finding.id`; event annotations by `eventAnnotationKey`
 * (evidence SHA-256 + record number), which survives re-ingesting the same evidence, unlike rows.
 */
export interface AnnotationDoc {
  findings: Record<string, Annotation>;
  events: Record<string, Annotation>;
}

export type AnnotationTarget = { kind: 'finding'; id: string } | { kind: 'event'; id: string };

interface ChangeBase {
  target: AnnotationTarget;
  /** When the analyst made the change (ISO 8601 UTC). */
  atIso: string;
}
export type AnnotationChange =
  | (ChangeBase & { op: 'setStatus'; status: AnnotationStatus })
  | (ChangeBase & { op: 'addTag'; tag: string })
  | (ChangeBase & { op: 'removeTag'; tag: string })
  | (ChangeBase & { op: 'addComment'; author: string; text: string })
  /** Removes the comment identified by its author and time (a comment's identity). */
  | (ChangeBase & { op: 'removeComment'; author: string; commentAtIso: string })
  | (ChangeBase & { op: 'setStar'; star: boolean })
  | (ChangeBase & { op: 'clear' });

/** A change without its target and time: what the analyst does to one or many targets at once. */
export type AnnotationEdit = AnnotationChange extends infer C ? (C extends AnnotationChange ? Omit<C, 'target' | 'atIso'> : never) : never;

export const ANNOTATION_LIMITS = {
  idChars: 1024,
  tagChars: 64,
  tags: 64,
  authorChars: 128,
  commentChars: 20_000,
  comments: 2_000,
} as const;

export function emptyDoc(): AnnotationDoc {
  return { findings: {}, events: {} };
}

export function emptyAnnotation(): Annotation {
  return { status: 'new', tags: [], comments: [], star: false };
}

/** Stable key of an event annotation: evidence content hash and 1-based record number. */
export function eventAnnotationKey(evidenceSha256: string, record: number): string {
  return `${evidenceSha256.toLowerCase()}:${record}`;
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z$/;
// C0/C1 controls and bidi overrides would let a tag spoof its neighbours in the UI and reports.
// eslint-disable-next-line no-control-regex
const TAG_FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069,]/;

export function isAnnotationStatus(v: unknown): v is AnnotationStatus {
  return typeof v === 'string' && (ANNOTATION_STATUSES as readonly string[]).includes(v);
}

function fail(message: string): never {
  throw new HopscopeError('E_CASE', message);
}

function checkIso(v: unknown, what: string): string {
  if (typeof v !== 'string' || !ISO_UTC.test(v) || Number.isNaN(Date.parse(v))) fail(`${what} must be an ISO 8601 UTC time`);
  return v;
}

function checkId(v: unknown, what: string): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > ANNOTATION_LIMITS.idChars) {
    fail(`${what} must be a non-empty string of at most ${ANNOTATION_LIMITS.idChars} characters`);
  }
  return v;
}

/** Trimmed tag, or an E_CASE error when it is empty, too long, or holds controls or commas. */
export function normalizeTag(tag: unknown): string {
  if (typeof tag !== 'string') fail('tag must be a string');
  const t = tag.trim();
  if (t.length === 0 || t.length > ANNOTATION_LIMITS.tagChars) fail(`tag must have 1..${ANNOTATION_LIMITS.tagChars} characters`);
  if (TAG_FORBIDDEN.test(t)) fail('tag must not contain control characters, bidi controls or commas');
  return t;
}

function checkAuthor(v: unknown): string {
  if (typeof v !== 'string' || v.trim().length === 0 || v.length > ANNOTATION_LIMITS.authorChars) {
    fail(`comment author must have 1..${ANNOTATION_LIMITS.authorChars} characters`);
  }
  return v;
}

function checkText(v: unknown): string {
  if (typeof v !== 'string' || v.length > ANNOTATION_LIMITS.commentChars) {
    fail(`comment text must be a string of at most ${ANNOTATION_LIMITS.commentChars} characters`);
  }
  return v;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function compareComments(a: AnnotationComment, b: AnnotationComment): number {
  return cmp(a.atIso, b.atIso) || cmp(a.author, b.author) || cmp(a.text, b.text);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isEmptyAnnotation(a: Annotation): boolean {
  return a.status === 'new' && a.tags.length === 0 && a.comments.length === 0 && !a.star;
}

/** Validate untrusted data (a case file, an IPC payload) into a canonical annotation; throws E_CASE. */
export function parseAnnotation(v: unknown, what = 'annotation'): Annotation {
  if (!isPlainObject(v)) fail(`${what} must be an object`);
  for (const k of Object.keys(v)) {
    if (!['status', 'tags', 'comments', 'star', 'updatedAtIso'].includes(k)) fail(`${what}.${k} is not allowed`);
  }
  if (!isAnnotationStatus(v['status'])) fail(`${what}.status must be one of ${ANNOTATION_STATUSES.join(', ')}`);
  const tagsIn = v['tags'] ?? [];
  if (!Array.isArray(tagsIn) || tagsIn.length > ANNOTATION_LIMITS.tags) fail(`${what}.tags must be an array of at most ${ANNOTATION_LIMITS.tags}`);
  const commentsIn = v['comments'] ?? [];
  if (!Array.isArray(commentsIn) || commentsIn.length > ANNOTATION_LIMITS.comments) {
    fail(`${what}.comments must be an array of at most ${ANNOTATION_LIMITS.comments}`);
  }
  const comments = commentsIn.map((c, i): AnnotationComment => {
    if (!isPlainObject(c)) fail(`${what}.comments[${i}] must be an object`);
    for (const k of Object.keys(c)) if (!['author', 'atIso', 'text'].includes(k)) fail(`${what}.comments[${i}].${k} is not allowed`);
    return { author: checkAuthor(c['author']), atIso: checkIso(c['atIso'], `${what}.comments[${i}].atIso`), text: checkText(c['text']) };
  });
  const star = v['star'] ?? false;
  if (typeof star !== 'boolean') fail(`${what}.star must be a boolean`);
  const out: Annotation = {
    status: v['status'],
    tags: [...new Set(tagsIn.map(normalizeTag))].sort(cmp),
    comments: comments.sort(compareComments),
    star,
  };
  if (v['updatedAtIso'] !== undefined) out.updatedAtIso = checkIso(v['updatedAtIso'], `${what}.updatedAtIso`);
  return out;
}

/** Validate an untrusted annotation document; throws E_CASE with the offending path. */
export function parseAnnotationDoc(v: unknown): AnnotationDoc {
  if (!isPlainObject(v)) fail('annotations must be an object');
  for (const k of Object.keys(v)) if (k !== 'findings' && k !== 'events') fail(`annotations.${k} is not allowed`);
  const doc = emptyDoc();
  for (const kind of ['findings', 'events'] as const) {
    const section = v[kind] ?? {};
    if (!isPlainObject(section)) fail(`annotations.${kind} must be an object`);
    // Keys go into a null-prototype record: an id such as `__proto__` is data, never a prototype.
    const out: Record<string, Annotation> = Object.create(null) as Record<string, Annotation>;
    for (const id of Object.keys(section).sort(cmp)) {
      checkId(id, `annotations.${kind} key`);
      const a = parseAnnotation(section[id], `annotations.${kind}[${JSON.stringify(id)}]`);
      if (!isEmptyAnnotation(a)) out[id] = a;
    }
    doc[kind] = out;
  }
  return doc;
}

function sectionOf(target: AnnotationTarget): 'findings' | 'events' {
  // Changes come from the renderer: a missing or non-object target is a refusal, not a TypeError.
  if (!isPlainObject(target)) return fail('change target must be an object');
  if (target.kind === 'finding') return 'findings';
  if (target.kind === 'event') return 'events';
  return fail('change target kind must be finding or event');
}

/** The annotation of a target, or the empty annotation. */
export function getAnnotation(doc: AnnotationDoc, target: AnnotationTarget): Annotation {
  const section = doc[sectionOf(target)];
  return Object.prototype.hasOwnProperty.call(section, target.id) ? section[target.id]! : emptyAnnotation();
}

/** Apply one change; returns a new document (the input is not modified). Invalid changes throw E_CASE. */
export function applyChange(doc: AnnotationDoc, change: AnnotationChange): AnnotationDoc {
  if (!isPlainObject(change)) fail('change must be an object');
  const kind = sectionOf(change.target);
  const id = checkId(change.target.id, 'change target id');
  const atIso = checkIso(change.atIso, 'change atIso');
  const prev = getAnnotation(doc, change.target);
  const next: Annotation = { status: prev.status, tags: [...prev.tags], comments: [...prev.comments], star: prev.star };
  switch (change.op) {
    case 'setStatus':
      if (!isAnnotationStatus(change.status)) fail(`status must be one of ${ANNOTATION_STATUSES.join(', ')}`);
      next.status = change.status;
      break;
    case 'addTag': {
      const tag = normalizeTag(change.tag);
      if (!next.tags.includes(tag)) {
        if (next.tags.length >= ANNOTATION_LIMITS.tags) fail(`at most ${ANNOTATION_LIMITS.tags} tags`);
        next.tags = [...next.tags, tag].sort(cmp);
      }
      break;
    }
    case 'removeTag': {
      const tag = normalizeTag(change.tag);
      next.tags = next.tags.filter((t) => t !== tag);
      break;
    }
    case 'addComment': {
      if (next.comments.length >= ANNOTATION_LIMITS.comments) fail(`at most ${ANNOTATION_LIMITS.comments} comments`);
      const c: AnnotationComment = { author: checkAuthor(change.author), atIso, text: checkText(change.text) };
      if (!next.comments.some((x) => compareComments(x, c) === 0)) next.comments = [...next.comments, c].sort(compareComments);
      break;
    }
    case 'removeComment': {
      const author = checkAuthor(change.author);
      const at = checkIso(change.commentAtIso, 'commentAtIso');
      next.comments = next.comments.filter((c) => !(c.author === author && c.atIso === at));
      break;
    }
    case 'setStar':
      if (typeof change.star !== 'boolean') fail('star must be a boolean');
      next.star = change.star;
      break;
    case 'clear':
      next.status = 'new';
      next.tags = [];
      next.comments = [];
      next.star = false;
      break;
    default: {
      // JSON.stringify throws on a BigInt (IPC's structured clone carries them) and echoes huge strings.
      const op = (change as { op?: unknown }).op;
      fail(`unknown change op ${typeof op === 'string' ? JSON.stringify(op.slice(0, 40)) : `(${typeof op})`}`);
    }
  }
  // The latest change time, even when changes are replayed out of order.
  next.updatedAtIso = prev.updatedAtIso !== undefined && prev.updatedAtIso > atIso ? prev.updatedAtIso : atIso;
  const section: Record<string, Annotation> = Object.assign(Object.create(null) as Record<string, Annotation>, doc[kind]);
  if (isEmptyAnnotation(next)) delete section[id];
  else section[id] = next;
  return { ...doc, [kind]: section };
}

export function applyChanges(doc: AnnotationDoc, changes: readonly AnnotationChange[]): AnnotationDoc {
  let out = doc;
  for (const c of changes) out = applyChange(out, c);
  return out;
}

/**
 * Merge two versions of a document (e.g. the file on disk and the in-memory copy): tags and
 * comments are unioned; status and star come from the side changed last (`updatedAtIso`, ties to `b`).
 * Union means a removal on one side is undone by the other; persistence should apply changes instead.
 */
export function mergeDocs(a: AnnotationDoc, b: AnnotationDoc): AnnotationDoc {
  const out = emptyDoc();
  for (const kind of ['findings', 'events'] as const) {
    const section: Record<string, Annotation> = Object.create(null) as Record<string, Annotation>;
    const ids = [...new Set([...Object.keys(a[kind]), ...Object.keys(b[kind])])].sort(cmp);
    for (const id of ids) {
      const x = Object.prototype.hasOwnProperty.call(a[kind], id) ? a[kind][id] : undefined;
      const y = Object.prototype.hasOwnProperty.call(b[kind], id) ? b[kind][id] : undefined;
      const merged = x && y ? mergeAnnotation(x, y) : (x ?? y)!;
      if (!isEmptyAnnotation(merged)) section[id] = merged;
    }
    out[kind] = section;
  }
  return out;
}

function mergeAnnotation(a: Annotation, b: Annotation): Annotation {
  const newer = (a.updatedAtIso ?? '') > (b.updatedAtIso ?? '') ? a : b;
  const comments = [...a.comments];
  for (const c of b.comments) if (!comments.some((x) => compareComments(x, c) === 0)) comments.push(c);
  const out: Annotation = {
    status: newer.status,
    tags: [...new Set([...a.tags, ...b.tags])].sort(cmp),
    comments: comments.sort(compareComments),
    star: newer.star,
  };
  if (newer.updatedAtIso !== undefined) out.updatedAtIso = newer.updatedAtIso;
  return out;
}
