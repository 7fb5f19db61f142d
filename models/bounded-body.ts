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
 * The common answer, not encoded: read in place, by the stream's own events. A stream pipeline costs
 * several times the rest of the call, and an async iterator over the body a good part of it; with nothing
 * to decode there is nothing for either to do. The deadline's signal destroys the body (a `fetch` body
 * converted from a web stream does not end on its own when its call is aborted).
 */
function readPlain(body: Readable, maxBytes: number, loggedUrl: string, signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let seen = 0;
    const stop = (error: unknown) => {
      detach();
      body.destroy();
      reject(error);
    };
    const onAbort = () => stop(signal.reason);
    const onData = (chunk: Buffer) => {
      seen += chunk.length;
      if (seen > maxBytes) stop(new TransportError('too_large', loggedUrl, 'SIZE'));
      else chunks.push(chunk);
    };
    const onEnd = () => {
      detach();
      resolve(chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    };
    // Closed before its end: the connection broke, or the body was destroyed under the reader.
    const onClose = () => stop(Object.assign(new Error('the answer ended before its body did'), { code: 'ERR_STREAM_PREMATURE_CLOSE' }));
    const detach = () => {
      signal.removeEventListener('abort', onAbort);
      // An error after this one is moot, but must not go unheard: undici's body reports its own destruction as one.
      body.off('data', onData).off('end', onEnd).off('error', stop).off('close', onClose).on('error', ignore);
    };
    if (signal.aborted) {
      stop(signal.reason);
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
    body.on('data', onData).on('end', onEnd).on('error', stop).on('close', onClose);
  });
}

function ignore(): void {}

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
