/**
 * The skill's own request verifier, against a certificate chain made here (root → intermediate →
 * signing certificate for echo-api.amazon.com) that only these tests trust. One test per rejection
 * Amazon requires, plus the cases that must pass.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html#verify-request-sent-by-alexa
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { RequestEnvelope } from 'ask-sdk-model';
import { AlexaRequestVerifier, type AlexaRequestVerifierOptions } from '../../../../skill/request-verifier/alexa-request-verifier';
import type { CertificateFetcher } from '../../../../skill/request-verifier/certificate-fetcher';
import { launchRequest } from '../../../fixtures/skill/envelopes';
import { alexaTestChain, issueCertificate, signBody, type AlexaTestChain } from '../../../support/test-certificates';
import { TestClock } from '../../../support/test-app';

const CERT_URL = 'https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem';
const DAY_MS = 86_400_000;

let chain: AlexaTestChain;
let other: AlexaTestChain;
beforeAll(() => {
  const start = new Date(new TestClock().now());
  chain = alexaTestChain(start);
  other = alexaTestChain(start);
});

/** A fetcher serving PEM files by URL, counting downloads. */
class CertificateFiles {
  readonly downloads: string[] = [];
  constructor(private readonly files: Record<string, string>) {}
  readonly fetch: CertificateFetcher = async (url) => {
    this.downloads.push(url.href);
    const pem = this.files[url.href];
    if (pem === undefined) throw new Error('HTTP 404');
    return pem;
  };
}

function setup(options: { files?: Record<string, string> } & AlexaRequestVerifierOptions = {}) {
  const clock = new TestClock();
  const files = new CertificateFiles(options.files ?? { [CERT_URL]: chain.chainPem });
  const verifier = new AlexaRequestVerifier({ clock, trustedRoots: [chain.root.pem], fetchCertificateChain: files.fetch, ...options });
  return { clock, files, verifier };
}

interface SignedRequest {
  readonly body: string;
  readonly headers: IncomingHttpHeaders;
  readonly envelope: unknown;
}

function signed(
  envelope: RequestEnvelope,
  options: { url?: string; key?: AlexaTestChain['leaf']['keys']['privateKey']; algorithm?: 'sha256' | 'sha1' } = {},
): SignedRequest {
  const body = JSON.stringify(envelope);
  const signature = signBody(body, options.key ?? chain.leaf.keys.privateKey, options.algorithm ?? 'sha256');
  const header = options.algorithm === 'sha1' ? 'signature' : 'signature-256';
  return { body, headers: { signaturecertchainurl: options.url ?? CERT_URL, [header]: signature }, envelope };
}

/** A launch request stamped `offsetMs` from the test clock's now. */
function launchAt(clock: TestClock, offsetMs = 0): RequestEnvelope {
  const envelope = launchRequest();
  return { ...envelope, request: { ...envelope.request, timestamp: new Date(clock.now() + offsetMs).toISOString() } };
}

function skillEventAt(clock: TestClock, offsetMs: number): RequestEnvelope {
  const envelope = launchRequest();
  return {
    ...envelope,
    request: { type: 'AlexaSkillEvent.SkillAccountLinked', requestId: 'r', timestamp: new Date(clock.now() + offsetMs).toISOString() },
  } as unknown as RequestEnvelope;
}

const check = (verifier: AlexaRequestVerifier, request: SignedRequest) => verifier.verify(request.body, request.headers, request.envelope);

describe('accepts', () => {
  test('a request signed (Signature-256) by a certificate chaining to a trusted root', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(launchAt(clock)))).resolves.toBeUndefined();
  });

  test('a request carrying only the SHA-1 Signature header', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(launchAt(clock), { algorithm: 'sha1' }))).resolves.toBeUndefined();
  });

  test.each([
    ['an upper-case host', 'https://S3.AmazonAWS.COM/echo.api/echo-api-cert-test.pem'],
    ['the explicit port 443', 'https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem'],
    ['dot segments that stay under /echo.api/', 'https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-test.pem'],
  ])('a certificate URL with %s', async (_case, url) => {
    const { clock, verifier, files } = setup();
    await expect(check(verifier, signed(launchAt(clock), { url }))).resolves.toBeUndefined();
    expect(files.downloads).toEqual([CERT_URL]);
  });

  test('a chain that includes the root itself', async () => {
    const { clock, verifier } = setup({ files: { [CERT_URL]: chain.chainPem + chain.root.pem } });
    await expect(check(verifier, signed(launchAt(clock)))).resolves.toBeUndefined();
  });

  test('a timestamp 149 s old, and 149 s ahead', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(launchAt(clock, -149_000)))).resolves.toBeUndefined();
    await expect(check(verifier, signed(launchAt(clock, 149_000)))).resolves.toBeUndefined();
  });

  test('a skill event up to an hour old', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(skillEventAt(clock, -59 * 60_000)))).resolves.toBeUndefined();
  });
});

describe('rejects', () => {
  test('a request without SignatureCertChainUrl', async () => {
    const { clock, verifier } = setup();
    const { signaturecertchainurl: _dropped, ...headers } = signed(launchAt(clock)).headers;
    await expect(verifier.verify('{}', headers, {})).rejects.toMatchObject({ reason: 'missing-headers' });
  });

  test('a request without Signature-256 or Signature', async () => {
    const { clock, verifier } = setup();
    const request = signed(launchAt(clock));
    await expect(verifier.verify(request.body, { signaturecertchainurl: CERT_URL }, request.envelope)).rejects.toMatchObject({ reason: 'missing-headers' });
  });

  test.each([
    ['http', 'http://s3.amazonaws.com/echo.api/echo-api-cert-test.pem'],
    ['another host', 'https://notamazon.com/echo.api/echo-api-cert-test.pem'],
    ['a look-alike host', 'https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert-test.pem'],
    ['a path outside /echo.api/', 'https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-test.pem'],
    ['dot segments leaving /echo.api/', 'https://s3.amazonaws.com/echo.api/../invalid.pem'],
    ['a port other than 443', 'https://s3.amazonaws.com:563/echo.api/echo-api-cert-test.pem'],
    ['credentials', 'https://user:pass@s3.amazonaws.com/echo.api/echo-api-cert-test.pem'],
    ['no URL at all', 'not a url'],
  ])('a certificate URL with %s, without downloading it', async (_case, url) => {
    const { clock, verifier, files } = setup({ files: { [url]: chain.chainPem } });
    await expect(check(verifier, signed(launchAt(clock), { url }))).rejects.toMatchObject({ reason: 'certificate-url' });
    expect(files.downloads).toEqual([]);
  });

  test('a certificate chain that cannot be downloaded', async () => {
    const { clock, verifier } = setup({ files: {} });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-unavailable' });
  });

  test('a download that outlasts its time budget', async () => {
    const neverAnswers: CertificateFetcher = (_url, signal) =>
      new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
    const { clock, verifier } = setup({ fetchCertificateChain: neverAnswers, downloadTimeoutMs: 1 });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-unavailable' });
  });

  test('a download that is not PEM', async () => {
    const { clock, verifier } = setup({ files: { [CERT_URL]: '<html>Access Denied</html>' } });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-chain' });
  });

  test('a chain that leads to a root nobody trusts', async () => {
    const { clock, verifier } = setup({ files: { [CERT_URL]: other.chainPem } });
    await expect(check(verifier, signed(launchAt(clock), { key: other.leaf.keys.privateKey }))).rejects.toMatchObject({ reason: 'certificate-chain' });
  });

  test('a chain that includes an untrusted root of the same name', async () => {
    const { clock, verifier } = setup({ files: { [CERT_URL]: other.chainPem + other.root.pem } });
    await expect(check(verifier, signed(launchAt(clock), { key: other.leaf.keys.privateKey }))).rejects.toMatchObject({ reason: 'certificate-chain' });
  });

  test('a chain missing its intermediate', async () => {
    const { clock, verifier } = setup({ files: { [CERT_URL]: chain.leaf.pem } });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-chain' });
  });

  test('a chain whose intermediate is not a CA (basicConstraints), even with certificate-signing key usage', async () => {
    const start = new Date(new TestClock().now());
    const notCa = issueCertificate({
      ...certificateWindow(start),
      commonName: 'linkbridge Test Intermediate CA',
      keys: chain.intermediate.keys,
      issuer: chain.root,
      isCa: false,
      certificateSigningKeyUsage: true,
    });
    const leaf = issueCertificate({ ...certificateWindow(start), commonName: 'echo-api.amazon.com', keys: chain.leaf.keys, issuer: notCa, isCa: false, dnsNames: ['echo-api.amazon.com'] });
    const { clock, verifier } = setup({ files: { [CERT_URL]: leaf.pem + notCa.pem } });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-chain' });
  });

  test('a signing certificate whose issuer signature is forged', async () => {
    const start = new Date(new TestClock().now());
    // Names the real intermediate as issuer but is signed with another key.
    const forged = issueCertificate({
      ...certificateWindow(start),
      commonName: 'echo-api.amazon.com',
      keys: chain.leaf.keys,
      issuer: chain.intermediate,
      signingKey: other.intermediate.keys.privateKey,
      isCa: false,
      dnsNames: ['echo-api.amazon.com'],
    });
    const { clock, verifier } = setup({ files: { [CERT_URL]: forged.pem + chain.intermediate.pem } });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-chain' });
  });

  test.each([
    ['another domain', ['echo-api.amazon.com.evil.example']],
    ['a wildcard', ['*.amazon.com']],
    ['no subjectAltName', []],
  ])('a signing certificate naming %s instead of echo-api.amazon.com', async (_case, dnsNames) => {
    const start = new Date(new TestClock().now());
    const leaf = issueCertificate({ ...certificateWindow(start), commonName: 'echo-api.amazon.com', keys: chain.leaf.keys, issuer: chain.intermediate, isCa: false, dnsNames });
    const { clock, verifier } = setup({ files: { [CERT_URL]: leaf.pem + chain.intermediate.pem } });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-domain' });
  });

  test('a request made after the signing certificate expired, though it was valid when cached', async () => {
    const { clock, verifier, files } = setup();
    await expect(check(verifier, signed(launchAt(clock)))).resolves.toBeUndefined();
    clock.advanceSeconds(366 * 86_400);
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-validity' });
    expect(files.downloads).toHaveLength(1);
  });

  test('a request made before the signing certificate is valid', async () => {
    const start = new Date(new TestClock().now());
    const future = { notBefore: new Date(start.getTime() + DAY_MS), notAfter: new Date(start.getTime() + 2 * DAY_MS) };
    const leaf = issueCertificate({ ...future, commonName: 'echo-api.amazon.com', keys: chain.leaf.keys, issuer: chain.intermediate, isCa: false, dnsNames: ['echo-api.amazon.com'] });
    const { clock, verifier } = setup({ files: { [CERT_URL]: leaf.pem + chain.intermediate.pem } });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-validity' });
  });

  test('a request made after an intermediate expired, though the signing certificate is still valid', async () => {
    const start = new Date(new TestClock().now());
    const shortLived = issueCertificate({
      notBefore: new Date(start.getTime() - DAY_MS),
      notAfter: new Date(start.getTime() + DAY_MS),
      commonName: 'linkbridge Test Intermediate CA',
      keys: chain.intermediate.keys,
      issuer: chain.root,
      isCa: true,
    });
    const { clock, verifier } = setup({ files: { [CERT_URL]: chain.leaf.pem + shortLived.pem } });
    await expect(check(verifier, signed(launchAt(clock)))).resolves.toBeUndefined();
    clock.advanceSeconds(2 * 86_400);
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-validity' });
  });

  test('a body changed after it was signed', async () => {
    const { clock, verifier } = setup();
    const request = signed(launchAt(clock));
    const tampered = request.body.replace('LaunchRequest', 'IntentRequest');
    await expect(verifier.verify(tampered, request.headers, JSON.parse(tampered))).rejects.toMatchObject({ reason: 'signature' });
  });

  test('a body signed by a key other than the certificate’s', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(launchAt(clock), { key: other.leaf.keys.privateKey }))).rejects.toMatchObject({ reason: 'signature' });
  });

  test('a wrong Signature-256, even when a valid SHA-1 Signature comes with it', async () => {
    const { clock, verifier } = setup();
    const sha1 = signed(launchAt(clock), { algorithm: 'sha1' });
    const headers = { ...sha1.headers, 'signature-256': Buffer.from('forged').toString('base64') };
    await expect(verifier.verify(sha1.body, headers, sha1.envelope)).rejects.toMatchObject({ reason: 'signature' });
  });

  test('a timestamp 151 s old', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(launchAt(clock, -151_000)))).rejects.toMatchObject({ reason: 'timestamp' });
  });

  test('a timestamp 151 s ahead', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(launchAt(clock, 151_000)))).rejects.toMatchObject({ reason: 'timestamp' });
  });

  test('a skill event more than an hour old', async () => {
    const { clock, verifier } = setup();
    await expect(check(verifier, signed(skillEventAt(clock, -61 * 60_000)))).rejects.toMatchObject({ reason: 'timestamp' });
  });

  test('a signed body that has no timestamp or is not JSON', async () => {
    const { verifier } = setup();
    const body = 'not json';
    const headers = { signaturecertchainurl: CERT_URL, 'signature-256': signBody(body, chain.leaf.keys.privateKey) };
    await expect(verifier.verify(body, headers, undefined)).rejects.toMatchObject({ reason: 'timestamp' });
  });
});

describe('downloads and caching', () => {
  test('many requests, some concurrent, download the chain once', async () => {
    const { clock, verifier, files } = setup();
    await Promise.all(Array.from({ length: 5 }, () => check(verifier, signed(launchAt(clock)))));
    await check(verifier, signed(launchAt(clock)));
    expect(files.downloads).toEqual([CERT_URL]);
  });

  test('a failed download is not cached: the next request downloads again', async () => {
    const files: Record<string, string> = {};
    const { clock, verifier } = setup({ files });
    await expect(check(verifier, signed(launchAt(clock)))).rejects.toMatchObject({ reason: 'certificate-unavailable' });
    files[CERT_URL] = chain.chainPem;
    await expect(check(verifier, signed(launchAt(clock)))).resolves.toBeUndefined();
  });

  test('the cache is bounded: past its size the least recently used URL is downloaded again', async () => {
    const urls = ['a', 'b', 'c'].map((name) => `https://s3.amazonaws.com/echo.api/${name}.pem`);
    const { clock, verifier, files } = setup({ cacheSize: 2, files: Object.fromEntries(urls.map((url) => [url, chain.chainPem])) });
    for (const url of [urls[0], urls[1], urls[0], urls[2], urls[0], urls[1]]) await check(verifier, signed(launchAt(clock), { url }));
    expect(files.downloads).toEqual([urls[0], urls[1], urls[2], urls[1]]);
  });
});

function certificateWindow(start: Date) {
  return { notBefore: new Date(start.getTime() - 3600_000), notAfter: new Date(start.getTime() + 365 * DAY_MS) };
}
