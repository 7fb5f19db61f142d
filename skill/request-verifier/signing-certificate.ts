import { X509Certificate, type KeyObject } from 'node:crypto';
import { RequestVerificationError } from './request-verification-error';
import type { TrustStore } from './trust-store';

/** The domain Amazon's signing certificate names in its subjectAltName. */
export const ALEXA_SIGNING_DOMAIN = 'echo-api.amazon.com';

/**
 * A signing certificate whose chain has been checked once: what each request needs is its public
 * key, parsed once, and the window in which the whole chain is valid, checked at every request.
 */
export interface SigningCertificate {
  readonly publicKey: KeyObject;
  /** Epoch milliseconds: the latest `notBefore` and earliest `notAfter` along the chain up to the root. */
  readonly validFrom: number;
  readonly validTo: number;
}

/**
 * Parses the PEM chain Amazon serves (signing certificate first, then intermediates) and checks
 * that it leads to a trusted root, each link issued and signed by the next, every issuer a CA, and
 * that the signing certificate names `echo-api.amazon.com` in its subjectAltName.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html#check-request-signature
 */
export function readSigningCertificate(chainPem: string, trust: TrustStore): SigningCertificate {
  const chain = parseChain(chainPem);
  const signing = chain[0]!;
  if (signing.checkHost(ALEXA_SIGNING_DOMAIN, { subject: 'never', wildcards: false }) === undefined) {
    throw new RequestVerificationError('certificate-domain', `the signing certificate does not name ${ALEXA_SIGNING_DOMAIN} in its subjectAltName`);
  }
  const path = pathToTrustedRoot(chain, trust);
  return {
    publicKey: signing.publicKey,
    validFrom: Math.max(...path.map((certificate) => Date.parse(certificate.validFrom))),
    validTo: Math.min(...path.map((certificate) => Date.parse(certificate.validTo))),
  };
}

function parseChain(chainPem: string): X509Certificate[] {
  const blocks = chainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) throw new RequestVerificationError('certificate-chain', 'the certificate chain holds no PEM certificate');
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    throw new RequestVerificationError('certificate-chain', 'the certificate chain holds a certificate that does not parse');
  }
}

/** The certificates from the signing one up to and including a trusted root, or a rejection. */
function pathToTrustedRoot(chain: readonly X509Certificate[], trust: TrustStore): X509Certificate[] {
  const path: X509Certificate[] = [];
  let current = chain[0]!;
  for (let next = 1; ; next += 1) {
    path.push(current);
    const root = trust.issuerOf(current);
    if (root) {
      if (root !== current) path.push(root);
      return path;
    }
    const issuer = chain[next];
    if (!issuer || !issuer.ca || !current.checkIssued(issuer) || !current.verify(issuer.publicKey)) {
      throw new RequestVerificationError('certificate-chain', `the certificate chain does not lead to a trusted root (${current.subject.replace(/\n/g, ', ')})`);
    }
    current = issuer;
  }
}
