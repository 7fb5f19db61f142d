/**
 * The certificate download over real HTTPS on loopback (a server certificate for 127.0.0.1 from a
 * test root the fetcher is told to trust): the chain file is returned as text; an error status, an
 * oversized body, an aborted download and an untrusted server are refused.
 */
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { httpsCertificateFetcher, MAX_CHAIN_BYTES } from '../../../../skill/request-verifier/certificate-fetcher';
import { Cleanup } from '../../../support/cleanup';
import { issueCertificate, rsaKeyPair, type TestCertificate } from '../../../support/test-certificates';

const cleanup = new Cleanup();
let root: TestCertificate;
let window: { notBefore: Date; notAfter: Date };
let baseUrl: string;
/** Requests that are left unanswered, so a test can abort them. */
const held: Array<() => void> = [];

beforeAll(async () => {
  // Node's TLS checks the server certificate against the machine's clock, which no test can move: this
  // window is the one place a test builds validity from the calendar.
  const now = Date.now();
  window = { notBefore: new Date(now - 3600_000), notAfter: new Date(now + 86_400_000) };
  root = issueCertificate({ ...window, commonName: 'linkbridge Test TLS Root', keys: rsaKeyPair(), isCa: true });
  const serverCertificate = issueCertificate({ ...window, commonName: '127.0.0.1', keys: rsaKeyPair(), issuer: root, isCa: false, ipAddresses: ['127.0.0.1'] });
  const server: Server = createServer(
    { cert: serverCertificate.pem, key: serverCertificate.keys.privateKey.export({ type: 'pkcs8', format: 'pem' }) },
    (req, res) => {
      if (req.url === '/echo.api/chain.pem') res.end('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
      else if (req.url === '/echo.api/huge.pem') res.end('A'.repeat(MAX_CHAIN_BYTES + 1));
      else if (req.url === '/echo.api/slow.pem') held.push(() => res.end());
      else res.writeHead(403).end('Access Denied');
    },
  );
  cleanup.add(server, (s) => {
    held.forEach((release) => release());
    s.closeAllConnections();
    return new Promise((resolve) => s.close(resolve));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => cleanup.run());

const fetchChain = (path: string, signal = new AbortController().signal, ca = root.pem) => httpsCertificateFetcher({ ca })(new URL(path, baseUrl), signal);

test('returns the chain file as text', async () => {
  await expect(fetchChain('/echo.api/chain.pem')).resolves.toContain('-----BEGIN CERTIFICATE-----');
});

test('refuses an answer other than 200', async () => {
  await expect(fetchChain('/echo.api/missing.pem')).rejects.toThrow('HTTP 403');
});

test('refuses a body larger than a chain file can be', async () => {
  await expect(fetchChain('/echo.api/huge.pem')).rejects.toThrow('larger than');
});

test('stops when the signal aborts (the verifier’s time budget)', async () => {
  const controller = new AbortController();
  const download = fetchChain('/echo.api/slow.pem', controller.signal);
  controller.abort();
  await expect(download).rejects.toMatchObject({ name: 'AbortError' });
});

test('refuses a server whose certificate it does not trust', async () => {
  const stranger = issueCertificate({ ...window, commonName: 'Other Root', keys: rsaKeyPair(), isCa: true });
  await expect(fetchChain('/echo.api/chain.pem', new AbortController().signal, stranger.pem)).rejects.toThrow();
});
