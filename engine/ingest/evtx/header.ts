// The EVTX file header (first 4096 bytes of the file).

import { HopscopeError } from '../../model/errors.ts';
import { crc32 } from './crc32.ts';
import type { EvtxFileHeader } from './types.ts';

const SIG = [0x45, 0x6c, 0x66, 0x46, 0x69, 0x6c, 0x65, 0x00]; // "ElfFile\0"

/** True when bytes start with the EVTX file signature (for format sniffing). */
export function isEvtxSignature(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== SIG[i]) return false;
  return true;
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0;
}
/** u64 as a number (exact below 2^53). */
export function u64(b: Uint8Array, o: number): number {
  return u32(b, o + 4) * 4294967296 + u32(b, o);
}

/**
 * Parses the file header: `bytes` is at least the header's first 128 bytes (normally the whole 4096-byte block).
 * Throws HopscopeError('E_FORMAT') when it is not an EVTX file header; a CRC mismatch is reported in crcOk.
 */
export function parseEvtxFileHeader(bytes: Uint8Array): EvtxFileHeader {
  if (bytes.length < 128) {
    throw new HopscopeError('E_FORMAT', `not an EVTX file: ${bytes.length} bytes, the file header needs 128`, { byteOffset: 0 });
  }
  if (!isEvtxSignature(bytes)) {
    throw new HopscopeError('E_FORMAT', 'not an EVTX file: the "ElfFile" signature is missing', { byteOffset: 0 });
  }
  const v = (o: number) => bytes[o]! | (bytes[o + 1]! << 8);
  return {
    firstChunk: u64(bytes, 8),
    lastChunk: u64(bytes, 16),
    nextRecordId: u64(bytes, 24),
    minorVersion: v(36),
    majorVersion: v(38),
    chunkCount: v(42),
    flags: u32(bytes, 120),
    crcOk: crc32(bytes, 0, 120) === u32(bytes, 124),
  };
}
