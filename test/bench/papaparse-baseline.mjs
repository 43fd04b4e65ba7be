// Bare papaparse parse of a file (header off, chunked from a read stream): the yardstick the engine's
// ingest is compared with in the same run. Prints one JSON line: rows, bytes, ms, maxRssBytes.
import { createReadStream, statSync } from 'node:fs';
import Papa from 'papaparse';

const file = process.argv[2];
const bytes = statSync(file).size;
const t0 = performance.now();
let rows = 0;
Papa.parse(createReadStream(file, { highWaterMark: 4 << 20 }), {
  header: false,
  chunk: (res) => { rows += res.data.length; },
  complete: () => {
    const ms = performance.now() - t0;
    console.log(JSON.stringify({ rows, bytes, ms, maxRssBytes: process.resourceUsage().maxRSS * 1024 }));
  },
});
