import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * A body that cannot be read: the client's fault. `status` is the HTTP status for it where the route
 * answers with the body's own status (`POST /alexa`); the token endpoint answers 400, as RFC 6749 §5.2
 * says. The message is written for the client: it says what is wrong with the body, never what was in it.
 */
export class BodyReadError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly type: 'request.aborted' | 'entity.too.large' | 'encoding.unsupported' | 'charset.unsupported',
    message: string,
  ) {
    super(message);
  }
}

/** Charsets whose bytes are read as UTF-8 as they are (US-ASCII is a subset). */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii']);

/**
 * Reads the request body as UTF-8 text into `req.body`, refusing more than `limitBytes` (413), a
 * `Content-Encoding` other than identity (415) and a charset other than UTF-8 or US-ASCII (415); a refused
 * body is read off and dropped before the error is handed on.
 * Alexa's requests and RFC 6749 token requests are uncompressed UTF-8, so none of body-parser's decoding
 * machinery runs on these hot paths; the text is exactly the bytes sent, which the request verifier
 * checks the signature over. A request without a body leaves `req.body` undefined, as body-parser does.
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14 (413 Content Too Large)
 * @see https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16 (415 Unsupported Media Type, for a content coding too)
 */
export function readBodyText(limitBytes: number): RequestHandler {
  return (req: Request, _res: Response, next: NextFunction) => {
    const { headers } = req;
    const declaredLength = headers['content-length'];
    if (headers['transfer-encoding'] === undefined && (declaredLength === undefined || declaredLength === '0')) return next();
    const encoding = headers['content-encoding'];
    if (encoding !== undefined && encoding.toLowerCase() !== 'identity') {
      return discardThen(req, next, new BodyReadError(415, 'encoding.unsupported', 'only an uncompressed body is accepted'));
    }
    const charset = charsetOf(headers['content-type']);
    if (charset !== undefined && !UTF8_CHARSETS.has(charset)) return discardThen(req, next, new BodyReadError(415, 'charset.unsupported', 'the body must be UTF-8'));
    if (declaredLength !== undefined && Number(declaredLength) > limitBytes) return discardThen(req, next, tooLarge(limitBytes));

    const chunks: Buffer[] = [];
    let received = 0;
    let settled = false;
    const settle = (error?: BodyReadError) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onClose);
      req.off('close', onClose);
      if (error) return next(error);
      req.body = (chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, received)).toString('utf8');
      next();
    };
    const onData = (chunk: Buffer) => {
      received += chunk.length;
      if (received <= limitBytes) {
        chunks.push(chunk);
        return;
      }
      // Nothing more is kept; the rest is read off before the answer, so the connection stays usable.
      settled = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onClose);
      req.off('close', onClose);
      chunks.length = 0;
      discardThen(req, next, tooLarge(limitBytes));
    };
    const onEnd = () => settle();
    // A connection closed (or failed) before the body ended.
    const onClose = () => settle(new BodyReadError(400, 'request.aborted', 'the request body ended early'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onClose);
    req.on('close', onClose);
  };
}

/**
 * Reads off what is left of the request without keeping it, then hands `error` on: answering before the
 * body is read would leave its bytes in the way of the next request on a keep-alive connection (body-parser
 * does the same).
 */
function discardThen(req: Request, next: NextFunction, error: BodyReadError): void {
  let handed = false;
  const hand = () => {
    if (handed) return;
    handed = true;
    next(error);
  };
  if (req.readableEnded) return hand();
  req.on('end', hand);
  req.on('close', hand);
  req.on('error', hand);
  req.resume();
}

function tooLarge(limitBytes: number): BodyReadError {
  return new BodyReadError(413, 'entity.too.large', `the request body is larger than ${limitBytes} bytes`);
}

/** The `charset` parameter of a Content-Type, lower-cased and unquoted. */
function charsetOf(contentType: string | undefined): string | undefined {
  if (contentType === undefined || !contentType.includes(';')) return undefined;
  const match = /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType);
  return match ? match[1].toLowerCase() : undefined;
}
