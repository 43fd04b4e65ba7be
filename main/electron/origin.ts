// The app's one origin (`app://hopscope`) and the URL test every guard shares.
// Invariant: origin checks parse the URL (never prefix-match strings), so `app://hopscope.evil` is foreign.

export const APP_SCHEME = 'app';
export const APP_HOST = 'hopscope';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_INDEX_URL = `${APP_ORIGIN}/index.html`;

/** True when `url` is a well-formed `app://hopscope/...` URL with no credentials or port. */
export function isAppUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Node's WHATWG parser reports `origin === 'null'` for non-special schemes, so compare the parts.
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.hostname === APP_HOST &&
    parsed.port === '' &&
    parsed.username === '' &&
    parsed.password === ''
  );
}
