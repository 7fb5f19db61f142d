/**
 * Malformed requests get a clear 4xx answer, never a 5xx.
 * @see https://www.rfc-editor.org/rfc/rfc6749#section-4.1.2.1 and #section-5.2
 */
import request from 'supertest';
import { createApp } from '../../app';
import { testDeps } from '../support/test-app';

test.each([
  ['GET', '/oauth/authorize?%'],
  ['GET', '/oauth/authorize?client_id=%E0%A4%A&redirect_uri=%'],
  ['GET', '/oauth/authorize?client_id[a]=1&redirect_uri[]=x'],
  ['GET', `/oauth/authorize?client_id=${'x'.repeat(6000)}`],
  ['GET', '/oauth/callback?state=%E0%A4%A&code=%'],
  ['GET', `/oauth/callback?state=${'a.'.repeat(4)}a&code=c`],
  ['GET', `/oauth/callback?state=${'x'.repeat(6000)}`],
  ['GET', '/oauth/callback?state=eyJhbGciOiJub25lIn0.e30.'],
  ['POST', '/oauth/token'],
  ['PUT', '/oauth/token'],
])('%s %s is answered below 500', async (method, path) => {
  const app = createApp(await testDeps());
  const response = await request(app)[method === 'GET' ? 'get' : method === 'PUT' ? 'put' : 'post'](path);
  expect(response.status).toBeGreaterThanOrEqual(400);
  expect(response.status).toBeLessThan(500);
  expect(response.headers.location).toBeUndefined();
});
