import { isIP } from 'node:net';
import type { Config } from '../../models/config';
import type { Finding } from './report';

/**
 * Alexa calls the skill and token endpoints only over HTTPS on port 443, with a certificate for a public
 * host name; the provider sends the browser back to the same address.
 * @see https://developer.amazon.com/docs/account-linking/requirements-account-linking.html
 */
export function checkPublicUrl(config: Config): Finding[] {
  const url = new URL(config.publicUrl);
  const problem = (message: string, fix: string): Finding[] => [{ check: 'public-url', severity: 'error', message, setting: 'PUBLIC_URL', fix }];
  if (url.protocol !== 'https:') {
    return problem(
      `${config.publicUrl} is not HTTPS: Alexa calls only https:// endpoints`,
      'put linkbridge behind an HTTPS reverse proxy or tunnel on port 443 and set PUBLIC_URL to its https:// address',
    );
  }
  if (url.port !== '') {
    return problem(`${config.publicUrl} uses port ${url.port}: Alexa calls only port 443`, 'serve HTTPS on port 443 and remove the port from PUBLIC_URL');
  }
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost') || isIP(url.hostname.replace(/^\[|\]$/g, '')) !== 0) {
    return problem(
      `${config.publicUrl} is not a public host name: Alexa needs a host name with a certificate it trusts`,
      'set PUBLIC_URL to the public https:// host name of linkbridge',
    );
  }
  return [{ check: 'public-url', severity: 'ok', message: `${config.publicUrl} is HTTPS on port 443` }];
}
