import { ALEXA_REDIRECT_HOSTS, type Config } from '../../models/config';
import { providerRedirectUri } from './provider-adapter';
import type { Finding } from './report';

/**
 * The two redirect lists a developer has to get right: the one URI to register at the provider, and the
 * Alexa redirect URLs linkbridge accepts (an exact match, built from the vendor ids).
 */
export function checkRedirectUris(config: Config): Finding[] {
  const allowed = [...config.alexa.redirectUrls].sort();
  const findings: Finding[] = [
    {
      check: 'redirect-uris',
      severity: 'info',
      message: 'register this redirect URI for linkbridge\'s client at the provider, exactly as written',
      details: { 'redirect URI': providerRedirectUri(config) },
    },
  ];
  const fromAlexa = allowed.filter((url) => ALEXA_REDIRECT_HOSTS.some((host) => url.startsWith(`https://${host}/api/skill/link/`)));
  if (fromAlexa.length === 0) {
    findings.push({
      check: 'redirect-uris',
      severity: 'error',
      message: "no Alexa redirect URL is accepted: the Alexa app's sign-in would end on linkbridge's error page",
      setting: 'ALEXA_VENDOR_IDS',
      fix: 'set ALEXA_VENDOR_IDS to your vendor id (upper case; https://developer.amazon.com/mycid.html or `ask smapi get-vendor-list` shows it)',
      details: { 'accepted redirect URLs': allowed },
    });
  } else {
    findings.push({
      check: 'redirect-uris',
      severity: 'info',
      message: "Alexa redirect URLs accepted (they should match the Alexa Redirect URLs on the skill's Account Linking page)",
      details: { 'accepted redirect URLs': allowed },
    });
  }
  return findings;
}
