/**
 * The shared deadline and body reader every outbound call uses (`models/deadline.ts`,
 * `models/bounded-body.ts`), on streams the test controls: no network, no clock.
 */
import { PassThrough, Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { decoders, readLimited } from '../../../models/bounded-body';
import { Deadline } from '../../../models/deadline';
import { TransportError } from '../../../models/outbound-http';
import { ManualTimers } from '../../support/manual-timers';

const URL_FOR_LOGS = 'https://api.test/me';
const never = new AbortController().signal;

describe('readLimited', () => {
  test('reads a plain body in several chunks as UTF-8', async () => {
    const body = Readable.from([Buffer.from('{"name":"Ad'), Buffer.from([0xc3]), Buffer.from([0xa1]), Buffer.from('"}')]);
    expect(await readLimited(body, [], 64, URL_FOR_LOGS, never)).toBe('{"name":"Adá"}');
  });

  test('an empty body is the empty string', async () => {
    expect(await readLimited(Readable.from([]), [], 64, URL_FOR_LOGS, never)).toBe('');
  });

  test('a plain body over the limit stops there: too_large (SIZE), and the body is destroyed', async () => {
    const body = new PassThrough();
    const reading = readLimited(body, [], 10, URL_FOR_LOGS, never);
    body.write('12345678');
    body.write('9012');
    await expect(reading).rejects.toEqual(new TransportError('too_large', URL_FOR_LOGS, 'SIZE'));
    expect(body.destroyed).toBe(true);
  });

  test('a body that closes before its end is a failure, never a short answer', async () => {
    const body = new PassThrough();
    const reading = readLimited(body, [], 64, URL_FOR_LOGS, never);
    body.write('{"access_token":"a');
    body.destroy();
    await expect(reading).rejects.toMatchObject({ code: 'ERR_STREAM_PREMATURE_CLOSE' });
  });

  test('the signal stops a body that never ends, and destroys it', async () => {
    const body = new PassThrough();
    const controller = new AbortController();
    const reading = readLimited(body, [], 64, URL_FOR_LOGS, controller.signal);
    body.write('{"name":"');
    const reason = new Error('deadline');
    controller.abort(reason);
    await expect(reading).rejects.toBe(reason);
    expect(body.destroyed).toBe(true);
  });

  test.each([
    ['gzip', gzipSync],
    ['deflate', deflateSync],
    ['br', brotliCompressSync],
  ] as const)('decodes %s', async (encoding, compress) => {
    const body = Readable.from([compress(Buffer.from('{"name":"Ada"}'))]);
    expect(await readLimited(body, decoders(encoding, URL_FOR_LOGS), 64, URL_FOR_LOGS, never)).toBe('{"name":"Ada"}');
  });

  test('decodes two codings, the last applied first (RFC 9110 §8.4)', async () => {
    const body = Readable.from([gzipSync(deflateSync(Buffer.from('twice')))]);
    expect(await readLimited(body, decoders('deflate, gzip', URL_FOR_LOGS), 64, URL_FOR_LOGS, never)).toBe('twice');
  });

  test('a compressed bomb small on the wire stops at the limit after decoding: too_large (DECODED_SIZE)', async () => {
    const bomb = gzipSync(Buffer.alloc(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    await expect(readLimited(Readable.from([bomb]), decoders('gzip', URL_FOR_LOGS), 64 * 1024, URL_FOR_LOGS, never)).rejects.toEqual(
      new TransportError('too_large', URL_FOR_LOGS, 'DECODED_SIZE'),
    );
  });

  test.each(['compress', 'zstd', 'gzip, gzip, gzip'])('refuses Content-Encoding %s: a network failure naming the encoding', (encoding) => {
    expect(() => decoders(encoding, URL_FOR_LOGS)).toThrow(new TransportError('network', URL_FOR_LOGS, 'CONTENT_ENCODING'));
  });

  test.each([undefined, '', 'identity'])('needs no decoder for %p', (encoding) => {
    expect(decoders(encoding, URL_FOR_LOGS)).toEqual([]);
  });
});

describe('Deadline', () => {
  test('aborts its signal when its timer fires, and says so', () => {
    const timers = new ManualTimers();
    const deadline = new Deadline(2500, timers);
    expect(timers.pendingDelays).toEqual([2500]);
    expect(deadline.signal.aborted).toBe(false);
    timers.fireAll();
    expect(deadline.expired).toBe(true);
    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.signal.reason).toMatchObject({ name: 'TimeoutError', message: 'no answer within 2500 ms' });
  });

  test('clear stops the timer', () => {
    const timers = new ManualTimers();
    const deadline = new Deadline(2500, timers);
    deadline.clear();
    expect(timers.pendingDelays).toEqual([]);
    expect(deadline.expired).toBe(false);
  });
});
