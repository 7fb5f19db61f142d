import type { IncomingMessage } from 'node:http';
import { requestQuery, requestTarget } from '../../../models/request-target';

function request(url: string, originalUrl?: string): IncomingMessage {
  return { url, ...(originalUrl === undefined ? {} : { originalUrl }) } as unknown as IncomingMessage;
}

describe('requestTarget (RFC 9112 §3.2)', () => {
  test('origin-form is a path on this server, doubled slashes included', () => {
    expect(requestTarget(request('/oauth/callback?state=x'))?.pathname).toBe('/oauth/callback');
    expect(requestTarget(request('//oauth//callback?code=y'))?.pathname).toBe('//oauth//callback');
    expect(requestQuery(request('//evil.example/x?code=y')).get('code')).toBe('y');
  });

  test('absolute-form is read as the URL it is', () => {
    const target = requestTarget(request('http://linkbridge.example/oauth/authorize?state=s'));
    expect(target?.pathname).toBe('/oauth/authorize');
    expect(target?.searchParams.get('state')).toBe('s');
  });

  test.each(['http://exa%mple.test/oauth/callback?state=x&code=y', 'http://host:99999/', 'http://[::1/x', 'linkbridge.example:443', '*', 'ftp://example.test/x', ''])(
    '%j does not parse, and reading it never throws',
    (raw) => {
      expect(requestTarget(request(raw))).toBeUndefined();
      expect([...requestQuery(request(raw))]).toEqual([]);
    },
  );

  test('Express nested routers rewrite req.url; originalUrl is what was sent, and the first reading is kept', () => {
    const req = request('/callback', '/oauth/callback?state=x');
    expect(requestTarget(req)?.pathname).toBe('/oauth/callback');
    (req as { url: string }).url = '/elsewhere';
    expect(requestTarget(req)?.pathname).toBe('/oauth/callback');
  });
});
