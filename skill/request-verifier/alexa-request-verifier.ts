import { verify } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { systemClock, type Clock } from '../../models/clock';
import { CertificateCache } from './certificate-cache';
import { httpsCertificateFetcher, type CertificateFetcher } from './certificate-fetcher';
import { checkCertificateUrl } from './certificate-url';
import { checkRequestTimestamp } from './request-timestamp';
import { RequestVerificationError } from './request-verification-error';
import { readSigningCertificate, type SigningCertificate } from './signing-certificate';
import { TrustStore } from './trust-store';

/** What the skill route asks of a verifier: resolve for Alexa's own fresh requests, reject otherwise. */
export interface RequestVerifier {
  /**
   * @param rawBody the body exactly as received (the signature covers these bytes)
   * @param envelope the body parsed as JSON, or `undefined` when it is not JSON
   */
  verify(rawBody: string, headers: IncomingHttpHeaders, envelope: unknown): Promise<void>;
}

/** What an `AlexaRequestVerifier` is built from; every field has a production default. */
export interface AlexaRequestVerifierOptions {
  /** The time requests and certificates are checked against. */
  readonly clock?: Clock;
  /** PEM root certificates a chain must lead to; Node's bundled roots by default. Read once, on the first download. */
  readonly trustedRoots?: readonly string[];
  readonly fetchCertificateChain?: CertificateFetcher;
  /** Budget for one certificate download. */
  readonly downloadTimeoutMs?: number;
  /** How many certificate URLs to keep (Alexa uses a handful at a time). */
  readonly cacheSize?: number;
}

/**
 * Verifies that a request to the skill endpoint comes from Alexa, as Amazon requires of a skill
 * hosted as a web service: the `SignatureCertChainUrl` rules, a certificate chain to a trusted root
 * naming `echo-api.amazon.com`, valid at the time of the request, an RSA signature over the raw
 * body (`Signature-256`, SHA-256; the SHA-1 `Signature` only when it is the one sent), and a fresh
 * timestamp.
 *
 * Each certificate URL is downloaded once at a time and checked once; what stays cached is its
 * parsed public key and validity window, so a request costs one RSA verification.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html#verify-request-sent-by-alexa
 */
export class AlexaRequestVerifier implements RequestVerifier {
  private readonly clock: Clock;
  private readonly fetchCertificateChain: CertificateFetcher;
  private readonly downloadTimeoutMs: number;
  private readonly certificates: CertificateCache<SigningCertificate>;
  private readonly trustedRoots: readonly string[] | undefined;
  private trust: TrustStore | undefined;

  constructor(options: AlexaRequestVerifierOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.fetchCertificateChain = options.fetchCertificateChain ?? httpsCertificateFetcher();
    this.downloadTimeoutMs = options.downloadTimeoutMs ?? 2000;
    this.certificates = new CertificateCache(options.cacheSize ?? 16);
    this.trustedRoots = options.trustedRoots;
  }

  async verify(rawBody: string, headers: IncomingHttpHeaders, envelope: unknown): Promise<void> {
    const certificateUrl = headers['signaturecertchainurl'];
    const sha256 = headers['signature-256'];
    const sha1 = headers['signature'];
    if (typeof certificateUrl !== 'string' || (typeof sha256 !== 'string' && typeof sha1 !== 'string')) {
      throw new RequestVerificationError('missing-headers', 'the request lacks SignatureCertChainUrl or a Signature-256 / Signature header');
    }
    const certificate = this.certificates.peek(certificateUrl) ?? (await this.certificates.load(certificateUrl, () => this.load(certificateUrl)));
    const now = this.clock.now();
    if (now < certificate.validFrom || now > certificate.validTo) {
      throw new RequestVerificationError('certificate-validity', 'the signing certificate chain is not valid at the time of the request');
    }
    const [algorithm, signature] = typeof sha256 === 'string' ? (['sha256', sha256] as const) : (['sha1', sha1 as string] as const);
    if (!verify(algorithm, Buffer.from(rawBody, 'utf8'), certificate.publicKey, Buffer.from(signature, 'base64'))) {
      throw new RequestVerificationError('signature', `the ${algorithm === 'sha256' ? 'Signature-256' : 'Signature'} header does not match the body`);
    }
    checkRequestTimestamp(envelope, now);
  }

  /** Checks the URL, downloads the chain within the time budget and checks it against the trust store. */
  private async load(rawUrl: string): Promise<SigningCertificate> {
    const url = checkCertificateUrl(rawUrl);
    let chainPem: string;
    try {
      chainPem = await this.fetchCertificateChain(url, AbortSignal.timeout(this.downloadTimeoutMs));
    } catch (error) {
      throw new RequestVerificationError('certificate-unavailable', `the certificate chain could not be downloaded: ${error instanceof Error ? error.message : 'unknown'}`);
    }
    this.trust ??= this.trustedRoots ? new TrustStore(this.trustedRoots) : TrustStore.system();
    return readSigningCertificate(chainPem, this.trust);
  }
}
