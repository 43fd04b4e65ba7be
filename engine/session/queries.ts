// The query layer's contract with the session: what the session hands a query (its context) and the queries it
// calls. Its own file so the session and the query implementations (basic-queries.ts, engine/query/*) both import
// it and neither imports the other.

import type { Finding } from '../detect/types.ts';
import type { AnnotationIndex } from '../query/annotation-index.ts';
import type { EventDetails, ProcessNode, RowsRequest, RowsResponse, TimelineRequest, TimelineResponse } from '../rpc/api.ts';
import type { EventStore } from '../store/store.ts';

/** The query layer, injected so the session works before (and independently of) the full query engine. */
export interface SessionQueries {
  timeline(store: EventStore, req: TimelineRequest, ctx: QueryContext): TimelineResponse;
  rows(store: EventStore, req: RowsRequest, ctx: QueryContext): RowsResponse;
  eventDetails(store: EventStore, row: number): EventDetails;
  processTree(store: EventStore, row: number): ProcessNode[];
}

export interface QueryContext {
  findings: readonly Finding[];
  findingById: ReadonlyMap<string, Finding>;
  hostRisk: ReadonlyMap<string, number>;
  /** The analyst's notes (from the host), for the filter's annotation terms. */
  annotations?: AnnotationIndex;
}
