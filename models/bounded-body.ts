/**
 * Reads an HTTP answer's body whole, never more than a limit of it, decompressing it here so the limit
 * counts what would be kept in memory: a compressed bomb stops at the limit, not after inflating.
 * Shared by every outbound call (`models/outbound-http.ts`).
 */
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { TransportError } from './outbound-http';

/**
 * Decoders for `Content-Encoding`, last applied first; none for an answer that is not encoded.
 * Refuses (a `network` {@link TransportError}, `CONTENT_ENCODING`) a coding it cannot undo, and more than two.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-8.4
 */
export function decoders(contentEncoding: string | undefined, loggedUrl: string): Transform[] {
  if (!contentEncoding) return [];
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding && coding !== 'identity');
  if (codings.length > 2) throw new TransportError('network', loggedUrl, 'CONTENT_ENCODING');
  return codings.reverse().map((coding) => {
    // A small output chunk, so the size check runs every few kilobytes of inflated data.
    const options = { chunkSize: 16 * 1024 };
    if (coding === 'gzip' || coding === 'x-gzip') return createGunzip(options);
    if (coding === 'deflate') return createInflate(options);
    if (coding === 'br') return createBrotliDecompress(options);
    throw new TransportError('network', loggedUrl, 'CONTENT_ENCODING');
  });
}

/**
 * Reads `body` through `decoderStreams` (from {@link decoders}) as UTF-8 text, counting bytes as they
 * come off the wire and again after decoding; past `maxBytes` either way it stops reading and throws a
 * `too_large` {@link TransportError} (`SIZE`, `DECODED_SIZE`). `signal` (the call's deadline) stops it
 * wherever it is and destroys the body.
 */
export async function readLimited(body: Readable, decoderStreams: Transform[], maxBytes: number, loggedUrl: string, signal: AbortSignal): Promise<string> {
  if (decoderStreams.length === 0) return readPlain(body, maxBytes, loggedUrl, signal);
  const chunks: Buffer[] = [];
  let decoded = 0;
  // Remembered here: once the pipeline tears the streams down, the error it reports may be the
  // body's own abort rather than the reason it was torn down.
  let overLimit: 'SIZE' | 'DECODED_SIZE' | undefined;
  const limit = (code: 'SIZE' | 'DECODED_SIZE') => {
    overLimit ??= code;
    return new TransportError('too_large', loggedUrl, code);
  };
  try {
    // A variable number of decoders: the typed overloads of `pipeline` cannot express it.
    await (pipeline as (...streams: unknown[]) => Promise<void>)(
      body,
      byteLimit(maxBytes, () => limit('SIZE')),
      ...decoderStreams,
      async function collect(source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          decoded += chunk.length;
          if (decoded > maxBytes) throw limit('DECODED_SIZE');
          chunks.push(chunk);
        }
      },
      { signal },
    );
  } catch (error) {
    if (overLimit) throw new TransportError('too_large', loggedUrl, overLimit);
    throw error;
  }
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * The common answer, not encoded: read in place. A stream pipeline costs several times the rest of
 * the call; with nothing to decode there is nothing for it to do. The deadline's signal destroys the
 * body (a `fetch` body converted from a web stream does not end on its own when its call is aborted).
 */
async function readPlain(body: Readable, maxBytes: number, loggedUrl: string, signal: AbortSignal): Promise<string> {
  if (signal.aborted) {
    body.destroy();
    throw signal.reason;
  }
  const abort = () => body.destroy(signal.reason as Error);
  signal.addEventListener('abort', abort, { once: true });
  const chunks: Buffer[] = [];
  let seen = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      seen += chunk.length;
      if (seen > maxBytes) {
        body.destroy();
        throw new TransportError('too_large', loggedUrl, 'SIZE');
      }
      chunks.push(chunk);
    }
  } finally {
    signal.removeEventListener('abort', abort);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

/** Counts the bytes as they come off the wire. */
function byteLimit(maxBytes: number, tooLarge: () => Error): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      seen += chunk.length;
      if (seen > maxBytes) done(tooLarge());
      else done(null, chunk);
    },
  });
}
