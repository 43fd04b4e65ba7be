// The analyst's own settings (name, default bin span, display time zone) in `<userDataDir>/settings.json`.
// Invariant: values are validated before they are stored; a damaged file reads as the defaults.

import { join } from 'node:path';
import { HopscopeError } from '../../../engine/model/errors.ts';
import { nodeCaseFs, type CaseFs } from './case-fs.ts';
import { replaceFileDurable } from '../atomic-write.ts';
import { checkBinSpanSec, isTimeZone } from './case-doc.ts';

export const SETTINGS_FILE = 'settings.json';

export interface UserSettings {
  analyst: string;
  binSpanSec: number;
  timeZone: string;
}

export const DEFAULT_SETTINGS: Readonly<UserSettings> = { analyst: '', binSpanSec: 1, timeZone: 'UTC' };
const ANALYST_MAX = 128;

/** Validate a partial update; throws E_USAGE naming the bad field. */
export function parseSettingsPatch(v: Record<string, unknown>): Partial<UserSettings> {
  const out: Partial<UserSettings> = {};
  for (const k of Object.keys(v)) if (!['analyst', 'binSpanSec', 'timeZone'].includes(k)) throw new HopscopeError('E_USAGE', `settings.${k} is not a setting`);
  if (v['analyst'] !== undefined) {
    const a = v['analyst'];
    // eslint-disable-next-line no-control-regex
    if (typeof a !== 'string' || a.length > ANALYST_MAX || /[\u0000-\u001f\u007f-\u009f]/.test(a)) {
      throw new HopscopeError('E_USAGE', `analyst must be at most ${ANALYST_MAX} characters without control characters`);
    }
    out.analyst = a.trim();
  }
  if (v['binSpanSec'] !== undefined) {
    try {
      out.binSpanSec = checkBinSpanSec(v['binSpanSec']);
    } catch (err) {
      throw new HopscopeError('E_USAGE', (err as Error).message);
    }
  }
  if (v['timeZone'] !== undefined) {
    if (!isTimeZone(v['timeZone'])) throw new HopscopeError('E_USAGE', 'timeZone must be an IANA time zone such as UTC or Europe/Berlin');
    out.timeZone = v['timeZone'];
  }
  return out;
}

export async function loadUserSettings(userDataDir: string, fs: CaseFs = nodeCaseFs): Promise<UserSettings> {
  try {
    const bytes = await fs.readFile(join(userDataDir, SETTINGS_FILE));
    if (!bytes) return { ...DEFAULT_SETTINGS };
    const v: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return { ...DEFAULT_SETTINGS };
    // Field by field: one bad value must not throw away the others.
    const out = { ...DEFAULT_SETTINGS };
    for (const k of ['analyst', 'binSpanSec', 'timeZone'] as const) {
      try {
        Object.assign(out, parseSettingsPatch({ [k]: (v as Record<string, unknown>)[k] }));
      } catch {
        // keep the default
      }
    }
    return out;
  } catch {
    return { ...DEFAULT_SETTINGS };
  }
}

export async function saveUserSettings(userDataDir: string, settings: UserSettings, fs: CaseFs = nodeCaseFs): Promise<void> {
  try {
    await replaceFileDurable(fs, userDataDir, SETTINGS_FILE, JSON.stringify(settings, null, 2) + '\n');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    throw new HopscopeError('E_IO', `cannot save the settings: ${code}`, { file: join(userDataDir, SETTINGS_FILE) });
  }
}
