import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/**
 * A small X.509 v3 certificate builder (DER by hand, signed with node:crypto), enough to make the
 * certificate chains Alexa signs requests with: a root, intermediates and a leaf with a SAN, each
 * with the validity, CA flag and issuer a test needs. Used by tests and by `npm run bench`.
 * @see https://www.rfc-editor.org/rfc/rfc5280#section-4.1
 */

/** An RSA key pair; 2048 bits as Amazon's signing certificates use. */
export interface TestKeyPair {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function rsaKeyPair(): TestKeyPair {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

/** A certificate and the key pair it certifies. */
export interface TestCertificate {
  readonly pem: string;
  readonly keys: TestKeyPair;
  readonly subject: string;
}

export interface CertificateOptions {
  /** Common name of the subject. */
  readonly commonName: string;
  readonly keys: TestKeyPair;
  /** The issuing certificate; absent for a self-signed root. */
  readonly issuer?: TestCertificate;
  /** Key that signs this certificate; defaults to the issuer's (or its own for a root). */
  readonly signingKey?: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly isCa: boolean;
  /** Key usage keyCertSign + cRLSign (a CA's) rather than digitalSignature; follows `isCa` by default. */
  readonly certificateSigningKeyUsage?: boolean;
  /** DNS names for the subjectAltName extension. */
  readonly dnsNames?: readonly string[];
  /** IPv4 addresses for the subjectAltName extension (a TLS server on loopback). */
  readonly ipAddresses?: readonly string[];
}

/** Builds and signs one certificate (sha256WithRSAEncryption). */
export function issueCertificate(options: CertificateOptions): TestCertificate {
  const subject = name(options.commonName);
  const issuerName = options.issuer ? name(options.issuer.subject) : subject;
  const signingKey = options.signingKey ?? options.issuer?.keys.privateKey ?? options.keys.privateKey;
  const spki = options.keys.publicKey.export({ type: 'spki', format: 'der' });
  const extensions = [
    extension('2.5.29.19', true, sequence(options.isCa ? [tlv(0x01, Buffer.from([0xff]))] : [])),
    extension('2.5.29.15', true, keyUsage(options.certificateSigningKeyUsage ?? options.isCa)),
    extension('2.5.29.14', false, tlv(0x04, keyIdentifier(options.keys.publicKey))),
  ];
  if (options.issuer) {
    extensions.push(extension('2.5.29.35', false, sequence([tlv(0x80, keyIdentifier(options.issuer.keys.publicKey))])));
  }
  const altNames = [
    ...(options.dnsNames ?? []).map((dns) => tlv(0x82, Buffer.from(dns, 'ascii'))),
    ...(options.ipAddresses ?? []).map((ip) => tlv(0x87, Buffer.from(ip.split('.').map(Number)))),
  ];
  if (altNames.length > 0) extensions.push(extension('2.5.29.17', false, sequence(altNames)));
  const tbs = sequence([
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(createHash('sha256').update(options.commonName).update(String(Math.random())).digest().subarray(0, 16)),
    SHA256_WITH_RSA,
    issuerName,
    sequence([time(options.notBefore), time(options.notAfter)]),
    subject,
    spki,
    tlv(0xa3, sequence(extensions)),
  ]);
  const signature = sign('sha256', tbs, signingKey);
  const der = sequence([tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature]))]);
  return { pem: toPem(der), keys: options.keys, subject: options.commonName };
}

/**
 * A chain like Amazon's: root → intermediate → leaf for `echo-api.amazon.com`, valid from an hour
 * before `now` for a year. Keys are made once per call (three RSA key pairs).
 */
export interface AlexaTestChain {
  readonly root: TestCertificate;
  readonly intermediate: TestCertificate;
  readonly leaf: TestCertificate;
  /** Leaf then intermediate, PEM, as Amazon serves the file at SignatureCertChainUrl. */
  readonly chainPem: string;
}

/**
 * @param now tests pass their test clock's time (`new Date(clock.now())`), since the verifier checks validity
 *   against that clock; the default, the machine's clock, is for the benchmarks, whose linkbridge runs on it.
 */
export function alexaTestChain(now = new Date()): AlexaTestChain {
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + 365 * 86400_000);
  const root = issueCertificate({ commonName: 'linkbridge Test Root CA', keys: rsaKeyPair(), notBefore, notAfter, isCa: true });
  const intermediate = issueCertificate({ commonName: 'linkbridge Test Intermediate CA', keys: rsaKeyPair(), issuer: root, notBefore, notAfter, isCa: true });
  const leaf = issueCertificate({
    commonName: 'echo-api.amazon.com',
    keys: rsaKeyPair(),
    issuer: intermediate,
    notBefore,
    notAfter,
    isCa: false,
    dnsNames: ['echo-api.amazon.com'],
  });
  return { root, intermediate, leaf, chainPem: leaf.pem + intermediate.pem };
}

/** Signs a request body as Alexa does: base64 RSA signatures for `Signature-256` (SHA-256) and `Signature` (SHA-1). */
export function signBody(body: string, privateKey: KeyObject, algorithm: 'sha256' | 'sha1' = 'sha256'): string {
  return sign(algorithm, Buffer.from(body, 'utf8'), privateKey).toString('base64');
}

// --- DER ---

function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let rest = n; rest > 0; rest = Math.floor(rest / 256)) bytes.unshift(rest & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function sequence(items: readonly Buffer[]): Buffer {
  return tlv(0x30, Buffer.concat(items));
}

function integer(bytes: Buffer): Buffer {
  // A positive INTEGER: a leading zero when the high bit is set.
  return tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [first * 40 + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let value = arc >>> 7; value > 0; value >>>= 7) chunk.unshift((value & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const SHA256_WITH_RSA = sequence([oid('1.2.840.113549.1.1.11'), Buffer.from([0x05, 0x00])]);

function name(commonName: string): Buffer {
  const attribute = (type: string, value: string) => tlv(0x31, sequence([oid(type), tlv(0x0c, Buffer.from(value, 'utf8'))]));
  return sequence([attribute('2.5.4.10', 'linkbridge tests'), attribute('2.5.4.3', commonName)]);
}

function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  // UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5).
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050 ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii')) : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return sequence([oid(id), ...(critical ? [tlv(0x01, Buffer.from([0xff]))] : []), tlv(0x04, value)]);
}

function keyUsage(isCa: boolean): Buffer {
  // digitalSignature (bit 0) for a leaf; keyCertSign (5) and cRLSign (6) for a CA.
  return isCa ? tlv(0x03, Buffer.from([0x01, 0x06])) : tlv(0x03, Buffer.from([0x07, 0x80]));
}

function keyIdentifier(publicKey: KeyObject): Buffer {
  return createHash('sha1').update(publicKey.export({ type: 'spki', format: 'der' })).digest();
}

function toPem(der: Buffer): string {
  const base64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${base64}\n-----END CERTIFICATE-----\n`;
}
