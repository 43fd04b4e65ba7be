// Generic CSV/JSON with a user-chosen column mapping ({ time, host, fields: canonical -> original column }).
// Invariant: only mapped columns feed canonical fields; every column stays as an original field.

import type { FlatRecord, FormatMapper, GenericMapping, MapOutcome } from './types.ts';
import { get } from './types.ts';
import { eventOutcome, put, type Fields } from './common.ts';
import { timeOf } from './time-fields.ts';
import { CANONICAL_FIELDS } from '../model/fields.ts';

export function createGenericMapper(mapping: GenericMapping): FormatMapper {
  const pairs = CANONICAL_FIELDS.flatMap((f) => {
    const col = mapping.fields[f];
    return col ? [[f, col] as const] : [];
  });
  return {
    id: 'generic',
    label: 'Generic (user mapping)',
    detect: () => ({ score: 0, reason: '' }),
    map(rec: FlatRecord): MapOutcome {
      const f: Fields = {};
      for (const [field, col] of pairs) put(f, field, get(rec, col));
      if (mapping.host) put(f, 'dest', get(rec, mapping.host));
      return eventOutcome(rec, timeOf(mapping.time, get(rec, mapping.time)), mapping.source ?? 'generic', undefined, f);
    },
  };
}
