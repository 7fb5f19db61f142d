/**
 * Identity fields in the account API's URL and headers (vault custody): `{name}` is replaced by the
 * field the provider's token answer gave, escaped for where it goes; a field the link lacks is a set-up
 * fault, never sent as braces.
 */
import type { CallOptions, HttpTransport, IncomingResponse, OutgoingRequest } from '../../../models/outbound-http';
import { AccountApiClient } from '../../../skill/account-api.client';

class RecordingTransport implements HttpTransport {
  readonly requests: OutgoingRequest[] = [];
  async send(request: OutgoingRequest, _options?: CallOptions): Promise<IncomingResponse> {
    this.requests.push(request);
    return { status: 200, headers: { 'content-type': 'application/json' }, text: '{"nickname":"Ada"}' };
  }
}

describe('identity fields in the account API call', () => {
  test('the URL carries the field percent-encoded, the headers carry it with control and non-ASCII characters encoded', async () => {
    const transport = new RecordingTransport();
    const client = new AccountApiClient('https://api.weixin.test/sns/userinfo?openid={openid}&lang=en', 1000, transport, { 'X-User': '{userId}', 'X-Fixed': 'yes' });
    await client.fetchProfile('provider-token', { openid: 'o&x=1 é', userId: 'line\r\nInjected: yes é' });
    const [request] = transport.requests;
    expect(request.url).toBe('https://api.weixin.test/sns/userinfo?openid=o%26x%3D1%20%C3%A9&lang=en');
    expect(request.headers).toMatchObject({ 'X-User': 'line%0D%0AInjected: yes %C3%A9', 'X-Fixed': 'yes', authorization: 'Bearer provider-token' });
  });

  test('a field the link does not have: "not set up", and no call', async () => {
    const transport = new RecordingTransport();
    const client = new AccountApiClient('https://api.test/users/{userId}', 1000, transport);
    await expect(client.fetchProfile('provider-token', {})).rejects.toMatchObject({ kind: 'not_configured' });
    expect(transport.requests).toEqual([]);
  });

  test('a URL without fields is called as it is, braces in the identity or not', async () => {
    const transport = new RecordingTransport();
    await new AccountApiClient('https://api.test/me', 1000, transport).fetchProfile('provider-token', { userId: '{x}' });
    expect(transport.requests[0].url).toBe('https://api.test/me');
  });
});
