import { get } from 'node:https';

/** Downloads the PEM certificate chain at a checked `SignatureCertChainUrl`; tests and the bench serve their own. */
export type CertificateFetcher = (url: URL, signal: AbortSignal) => Promise<string>;

/** Amazon's chain file is a few kilobytes; anything much larger is not one. */
export const MAX_CHAIN_BYTES = 64 * 1024;

/**
 * Fetches over HTTPS with Node's client, following no redirect, refusing a body over 64 KiB;
 * `signal` bounds the whole download. `ca` replaces the roots the TLS connection trusts (tests).
 */
export function httpsCertificateFetcher(options: { readonly ca?: string } = {}): CertificateFetcher {
  return (url, signal) =>
    new Promise<string>((resolve, reject) => {
      const request = get(url, { signal, ...(options.ca ? { ca: options.ca } : {}) }, (response) => {
        if (response.statusCode !== 200) {
          response.resume();
          reject(new Error(`certificate download answered HTTP ${response.statusCode}`));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > MAX_CHAIN_BYTES) request.destroy(new Error(`certificate chain larger than ${MAX_CHAIN_BYTES} bytes`));
          else chunks.push(chunk);
        });
        response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
        response.on('error', reject);
      });
      request.on('error', reject);
    });
}
