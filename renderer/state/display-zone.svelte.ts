// The time zone times are displayed in (the analyst's `timeZone` setting). Stored, queried and exported times
// stay UTC; only labels change. UTC by default, so a fresh install shows ISO 8601 UTC everywhere.

export function isValidZone(zone: string): boolean {
  if (!zone) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export class DisplayZone {
  zone = $state('UTC');
  readonly isUtc = $derived(this.zone === 'UTC' || this.zone === 'Etc/UTC' || this.zone === 'GMT');

  /** Applies a zone name; unknown names are refused (returns false) and the current zone is kept. */
  set(zone: string): boolean {
    if (!isValidZone(zone)) return false;
    this.zone = zone;
    return true;
  }
}

/** One per window, like the theme: every time label reads it. */
export const displayZone = new DisplayZone();
