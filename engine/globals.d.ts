// The few Web-standard globals the pure engine may use: they exist in browsers, Node and workers alike.
// Declared here instead of pulling in the DOM or Node type libraries, so any other host API fails typecheck.

interface TextDecodeOptions { stream?: boolean }
interface TextDecoderOptions { fatal?: boolean; ignoreBOM?: boolean }
declare class TextDecoder {
  constructor(label?: string, options?: TextDecoderOptions);
  readonly encoding: string;
  decode(input?: ArrayBufferView | ArrayBuffer, options?: TextDecodeOptions): string;
}
interface TextEncoderEncodeIntoResult { read: number; written: number }
declare class TextEncoder {
  encode(input?: string): Uint8Array;
  encodeInto(source: string, destination: Uint8Array): TextEncoderEncodeIntoResult;
}
declare var console: {
  log(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
};
declare var performance: { now(): number };
declare function queueMicrotask(cb: () => void): void;
declare function structuredClone<T>(value: T): T;
