// One entry point for every export format, so hosts (CLI, Electron, browser mode) pick by name.
// Invariant: all formats are written from the same normalised report, so they never disagree.

import { findingsToCsv } from './csv.ts';
import { buildHtmlReport, type HtmlReportInput } from './html.ts';
import { findingsToNdjson } from './ndjson.ts';
import { buildReport, reportToJson } from './report.ts';

export { buildReport, reportToJson, isoUtc, REPORT_SCHEMA } from './report.ts';
export type { Report, ReportInput, ReportEvidence, ReportFinding, ReportHost, ReportRule } from './report.ts';
export { findingsToCsv, csvCell } from './csv.ts';
export { findingsToNdjson } from './ndjson.ts';
export { buildHtmlReport, HTML_CSP } from './html.ts';
export type { HtmlReportInput } from './html.ts';

export const EXPORT_FORMATS = ['json', 'csv', 'ndjson', 'html'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export interface ExportOutput {
  text: string;
  mimeType: string;
  extension: string;
}

const MIME: Record<ExportFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
  html: 'text/html; charset=utf-8',
};

/** Render one export. CSV gets a BOM so spreadsheets read UTF-8 host and user names correctly. */
export function renderExport(format: ExportFormat, input: HtmlReportInput): ExportOutput {
  const out = (text: string): ExportOutput => ({ text, mimeType: MIME[format], extension: `.${format}` });
  switch (format) {
    case 'json':
      return out(reportToJson(buildReport(input)));
    case 'csv':
      return out(findingsToCsv(buildReport(input), { bom: true }));
    case 'ndjson':
      return out(findingsToNdjson(buildReport(input)));
    case 'html':
      return out(buildHtmlReport(input));
  }
}
