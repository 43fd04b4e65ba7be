// EVTX reader core (pure): file header, chunks, BinXML. See README.md.
export * from './types.ts';
export { parseEvtxFileHeader, isEvtxSignature } from './header.ts';
export { readEvtxChunk } from './chunk.ts';
export { readEvtxFile, EvtxSlotGaps, type EvtxFileResult } from './file.ts';
export { crc32 } from './crc32.ts';
