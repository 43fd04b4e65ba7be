// Which field an event's time comes from, per family: the one table every mapper reads (through pickTime and
// common.ts eventOutcome), so the precedence is data, written down once, and testable field by field.
// Invariant: the event's own clock comes first (Sysmon UtcTime, the System TimeCreated, a vendor's event time),
// the collector's (@timestamp of a shipper, _indextime, EventReceivedTime) last; every other time field the record
// carries is handed on beside the chosen one, so the store can compare them per file (time-skew.ts).

/** Whose clock a field is. */
export type TimeRole =
  /** The event's own time as its producer wrote it (Sysmon UtcTime, a vendor's event timestamp). */
  | 'event'
  /** The time the Windows event log gave the record (System TimeCreated; NXLog's EventTime is its local-time copy). */
  | 'system'
  /** A time a collector or index stamped when it received the record. */
  | 'collector';

export interface TimeSource {
  /** Field name as the record carries it (after flattening; `from: 'data'` names an EventData field). */
  field: string;
  role: TimeRole;
  /**
   * How the text is read. `utc`: a text without zone is UTC by the field's definition (Sysmon UtcTime, System
   * SystemTime), so it is not flagged; `as-written`: a zone or offset is honoured, a text without one is read as UTC
   * and flagged (assumedUtc); epoch numbers (s, ms, µs by magnitude) are UTC either way.
   */
  read: 'utc' | 'as-written';
  /** `record` (default): a field of the record; `data`: a field of the Windows event's EventData. */
  from?: 'record' | 'data';
}

/** Families with their own time fields (a format may use several: Splunk rows of Windows XML, ECS Windows events). */
export type TimeFamily =
  | 'windows-xml'
  | 'windows-flat'
  | 'evtx-json'
  | 'evtxecmd'
  | 'winevent-csv'
  | 'splunk'
  | 'ecs'
  | 'ecs-windows'
  | 'crowdstrike'
  | 'defender';

const sysmonUtc: TimeSource = { field: 'UtcTime', role: 'event', read: 'utc', from: 'data' };

/** The precedence, per family: the first field present and readable is the event's time. */
export const TIME_FIELDS: Readonly<Record<TimeFamily, readonly TimeSource[]>> = {
  // Event XML and .evtx: Sysmon's own UtcTime, then the System TimeCreated SystemTime (always with a Z).
  'windows-xml': [sysmonUtc, { field: 'TimeCreated_SystemTime', role: 'system', read: 'utc' }],
  // OTRF/Mordor and NXLog NDJSON. TimeCreated is written without zone and is not always UTC (OTRF captures hold
  // local time there); NXLog's EventTime and EventReceivedTime are local time without zone; @timestamp is the
  // shipper's (Logstash) receive time in UTC.
  'windows-flat': [
    sysmonUtc,
    { field: 'TimeCreated_SystemTime', role: 'system', read: 'utc' },
    { field: 'SystemTime', role: 'system', read: 'utc' },
    { field: 'TimeCreated', role: 'system', read: 'as-written' },
    { field: 'EventTime', role: 'system', read: 'as-written' },
    { field: '@timestamp', role: 'collector', read: 'as-written' },
    { field: 'EventReceivedTime', role: 'collector', read: 'as-written' },
  ],
  // evtx_dump / Chainsaw: names below the record's own prefix (`Event.` ...).
  'evtx-json': [
    sysmonUtc,
    { field: 'System.TimeCreated.#attributes.SystemTime', role: 'system', read: 'utc' },
    { field: 'System.TimeCreated_attributes.SystemTime', role: 'system', read: 'utc' },
    { field: 'System.TimeCreated.SystemTime', role: 'system', read: 'utc' },
  ],
  // EvtxECmd writes TimeCreated in UTC without zone (flagged, as before).
  evtxecmd: [sysmonUtc, { field: 'TimeCreated', role: 'system', read: 'as-written' }],
  // Get-WinEvent / Event Viewer CSV: the time columns are the exporting machine's local time without zone.
  'winevent-csv': [
    sysmonUtc,
    { field: 'TimeCreated', role: 'system', read: 'as-written' },
    { field: 'TimeCreated.DateTime', role: 'system', read: 'as-written' },
    { field: 'Date and Time', role: 'system', read: 'as-written' },
  ],
  // Splunk exports: `_time` is the time Splunk extracted from the event; `_indextime` when it was indexed.
  splunk: [
    sysmonUtc,
    { field: 'TimeCreated_SystemTime', role: 'system', read: 'utc' },
    { field: '_time', role: 'event', read: 'as-written' },
    { field: 'timestamp', role: 'event', read: 'as-written' },
    { field: '_indextime', role: 'collector', read: 'as-written' },
  ],
  // ECS process events: @timestamp is the event's time (ECS), event.created when the agent saw it, event.ingested
  // when the pipeline took it.
  ecs: [
    { field: 'winlog.event_data.UtcTime', role: 'event', read: 'utc' },
    { field: '@timestamp', role: 'event', read: 'as-written' },
    { field: 'event.created', role: 'collector', read: 'as-written' },
    { field: 'event.ingested', role: 'collector', read: 'as-written' },
  ],
  // Winlogbeat Windows events without ECS process fields: Winlogbeat's @timestamp is the System TimeCreated.
  'ecs-windows': [
    sysmonUtc,
    { field: '@timestamp', role: 'system', read: 'as-written' },
    { field: 'event.created', role: 'collector', read: 'as-written' },
    { field: 'event.ingested', role: 'collector', read: 'as-written' },
  ],
  // CrowdStrike: `timestamp` (epoch ms) is the sensor's event time; ContextTimeStamp (epoch s) the sensor's context
  // time; `_time` a Splunk re-export's; ProcessStartTime the process's start.
  crowdstrike: [
    { field: 'timestamp', role: 'event', read: 'as-written' },
    { field: 'ContextTimeStamp', role: 'event', read: 'as-written' },
    { field: '_time', role: 'event', read: 'as-written' },
    { field: 'ProcessStartTime', role: 'event', read: 'as-written' },
    { field: '_indextime', role: 'collector', read: 'as-written' },
  ],
  // Defender Advanced Hunting: Timestamp is the event's; Sentinel's TimeGenerated is when the workspace took it.
  defender: [
    { field: 'Timestamp', role: 'event', read: 'as-written' },
    { field: 'Timestamp [UTC]', role: 'event', read: 'as-written' },
    { field: 'TimeGenerated', role: 'collector', read: 'as-written' },
  ],
};

/** One time field as a record carries it. */
export interface TimeText {
  field: string;
  text: string;
  /** The field is UTC by definition: a text without zone is not flagged. */
  utc: boolean;
}

/** The chosen time field first, then every other time field of the record in precedence order. */
export type TimePick = readonly TimeText[];

const EMPTY: TimePick = [];

/**
 * The record's time fields in `family`'s precedence (empty ones left out): the first is the event's time unless it
 * cannot be read (eventOutcome then takes the next). `record` looks up a record field, `data` an EventData field.
 */
export function pickTime(
  family: TimeFamily,
  record: (name: string) => string | undefined,
  data: (name: string) => string | undefined = record,
): TimePick {
  let out: TimeText[] | null = null;
  for (const s of TIME_FIELDS[family]) {
    const text = s.from === 'data' ? data(s.field) : record(s.field);
    if (text === undefined || text === '') continue;
    (out ??= []).push({ field: s.field, text, utc: s.read === 'utc' });
  }
  return out ?? EMPTY;
}

/** A single time field (a generic mapping's time column). */
export function timeOf(field: string, text: string | undefined): TimePick {
  return text === undefined || text === '' ? EMPTY : [{ field, text, utc: false }];
}

/** Every field name some family reads as a time, with its role (for showing an event's time fields side by side). */
export const TIME_FIELD_ROLES: ReadonlyMap<string, TimeRole> = (() => {
  const m = new Map<string, TimeRole>();
  for (const list of Object.values(TIME_FIELDS)) for (const s of list) if (!m.has(s.field)) m.set(s.field, s.role);
  return m;
})();

/** Whether a field is UTC by definition wherever it is read. */
export const UTC_TIME_FIELDS: ReadonlySet<string> = new Set(
  Object.values(TIME_FIELDS).flatMap((l) => l.filter((s) => s.read === 'utc').map((s) => s.field)),
);
