import { RequestVerificationError } from './request-verification-error';

/**
 * Checks a `SignatureCertChainUrl` as Amazon requires and returns it normalized: `https`, host
 * `s3.amazonaws.com` (any case), a path starting `/echo.api/` after `..` segments are resolved, and
 * port 443 when a port is given.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html#cert-verify-signature-certificate-url
 */
export function checkCertificateUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RequestVerificationError('certificate-url', 'SignatureCertChainUrl is not a URL');
  }
  // WHATWG URL parsing lower-cases the scheme and host and resolves dot segments, which is the
  // normalization Amazon asks for; a default port (443 for https) is dropped, any other is kept.
  if (url.protocol !== 'https:') throw new RequestVerificationError('certificate-url', `SignatureCertChainUrl scheme is ${url.protocol}, not https`);
  if (url.hostname !== 's3.amazonaws.com') throw new RequestVerificationError('certificate-url', `SignatureCertChainUrl host is ${url.hostname}, not s3.amazonaws.com`);
  if (!url.pathname.startsWith('/echo.api/')) throw new RequestVerificationError('certificate-url', 'SignatureCertChainUrl path does not start with /echo.api/');
  if (url.port !== '') throw new RequestVerificationError('certificate-url', `SignatureCertChainUrl port is ${url.port}, not 443`);
  if (url.username || url.password) throw new RequestVerificationError('certificate-url', 'SignatureCertChainUrl carries credentials');
  return url;
}
