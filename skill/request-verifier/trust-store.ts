import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';

/**
 * The root certificates a signing chain must lead to, parsed once and indexed by subject, so
 * checking a new chain costs a lookup and one signature check rather than rebuilding a CA store.
 * By default Node's bundled Mozilla roots (the set Amazon's chain ends in); tests supply their own.
 */
export class TrustStore {
  private readonly bySubject = new Map<string, X509Certificate[]>();

  constructor(rootsPem: readonly string[]) {
    for (const pem of rootsPem) {
      const root = new X509Certificate(pem);
      const sameSubject = this.bySubject.get(root.subject);
      if (sameSubject) sameSubject.push(root);
      else this.bySubject.set(root.subject, [root]);
    }
  }

  /** Node's bundled root certificates (`tls.rootCertificates`). */
  static system(): TrustStore {
    return new TrustStore(rootCertificates);
  }

  /** The trusted root that issued and signed `certificate`, or the certificate itself when it is a trusted root. */
  issuerOf(certificate: X509Certificate): X509Certificate | undefined {
    for (const root of this.bySubject.get(certificate.issuer) ?? []) {
      if (root.fingerprint256 === certificate.fingerprint256) return root;
      if (certificate.checkIssued(root) && certificate.verify(root.publicKey)) return root;
    }
    return undefined;
  }
}
