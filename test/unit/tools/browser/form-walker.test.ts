/**
 * The form walker the simulator's headless journey and the tests' FormBrowser share: attribute values are
 * decoded once, as a browser decodes them, and a page's first form is read with its action made absolute.
 * @see https://html.spec.whatwg.org/multipage/parsing.html#character-reference-state
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeEntities, firstForm, FormWalkError, signInWithForms } from '../../../../tools/browser/form-walker';
import { Cleanup } from '../../../support/cleanup';

test('character references are decoded once: &amp;lt; is the text &lt;, never <', () => {
  expect(decodeEntities('&amp;lt;')).toBe('&lt;');
  expect(decodeEntities('&amp;amp;')).toBe('&amp;');
  expect(decodeEntities('a=1&amp;b=2')).toBe('a=1&b=2');
  expect(decodeEntities('&lt;b&gt; &quot;x&quot; &#39;y&#x27; &apos;')).toBe('<b> "x" \'y\' \'');
  expect(decodeEntities('&#128512;')).toBe('😀');
});

test('what is no character reference is left as written', () => {
  expect(decodeEntities('AT&T &nosuch; &#xD800; &#0; & ;')).toBe('AT&T &nosuch; &#xD800; &#0; & ;');
});

test('the first form: its absolute action, and each input\'s name and value decoded once', () => {
  const html = `<h1>Sign in</h1>
<form method="post" action="/interaction/a&amp;b/login"><input type="hidden" name="state" value="x&amp;lt;y">
<input name="login" value="ada"><input type="submit" value="Go"></form><form action="/second"></form>`;
  expect(firstForm(html, 'http://provider.test/interaction/a')).toEqual({
    action: 'http://provider.test/interaction/a&b/login',
    fields: [
      ['state', 'x&lt;y'],
      ['login', 'ada'],
    ],
  });
  expect(firstForm('<p>no form here</p>', 'http://provider.test/')).toBeUndefined();
});

describe('walking a sign-in over HTTP on loopback', () => {
  const cleanup = new Cleanup();
  let origin = '';
  const posted: string[] = [];
  beforeAll(async () => {
    const server: Server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        if (req.url === '/start') return void res.writeHead(302, { location: '/sign-in', 'set-cookie': 'walk=1; Path=/' }).end();
        if (req.url === '/sign-in') {
          return void res
            .writeHead(200, { 'content-type': 'text/html' })
            .end('<form method="post" action="/submit"><input name="login" value=""><input name="password" type="password"><input name="token" value="&amp;lt;kept&amp;gt;"></form>');
        }
        if (req.url === '/submit') {
          posted.push(`${req.headers.cookie} ${body}`);
          return void res.writeHead(302, { location: 'https://alexa.test/back?code=c' }).end();
        }
        res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Nothing &amp; nowhere</h1>');
      });
    });
    cleanup.add(server, (started) => new Promise((resolve) => started.close(resolve)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => cleanup.run());

  test('follows redirects with its cookies, fills login and password, keeps other fields as decoded, and stops at the redirect URI', async () => {
    const landing = await signInWithForms(`${origin}/start`, 'https://alexa.test/back', { login: 'ada', password: 'p w' });
    expect(landing).toBe('https://alexa.test/back?code=c');
    expect(posted).toEqual(['walk=1 login=ada&password=p+w&token=%26lt%3Bkept%26gt%3B']);
  });

  test('a page with no form stops the walk, naming the page and its heading', async () => {
    const stopped = signInWithForms(`${origin}/elsewhere`, 'https://alexa.test/back', { login: 'ada', password: 'x' });
    await expect(stopped).rejects.toBeInstanceOf(FormWalkError);
    await expect(signInWithForms(`${origin}/elsewhere`, 'https://alexa.test/back', { login: 'ada', password: 'x' })).rejects.toThrow(
      `stopped at ${origin}/elsewhere (HTTP 404: Nothing & nowhere) with no form to submit`,
    );
  });
});
