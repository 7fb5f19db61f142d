import type { Config } from '../../models/config';
import type { Finding } from './report';

/** Alexa refuses access tokens that live less than this. @see ../../docs/how-linking-works.md "Token" */
export const ALEXA_MINIMUM_LIFETIME_SECONDS = 360;

/**
 * The lifetime Alexa is told: the provider's `expires_in` when its token answer has one, else
 * `DEFAULT_EXPIRES_IN`. The provider's own lifetime is known only when a check saw a token answer.
 */
export function checkTokenLifetime(config: Config, providerStatedLifetime?: number): Finding[] {
  if (providerStatedLifetime !== undefined && providerStatedLifetime < ALEXA_MINIMUM_LIFETIME_SECONDS) {
    return [
      {
        check: 'token-lifetime',
        severity: 'error',
        message: `the provider's access tokens live ${providerStatedLifetime} s; Alexa needs at least ${ALEXA_MINIMUM_LIFETIME_SECONDS} s`,
        setting: "the access-token lifetime in the provider's settings for linkbridge's client",
        fix: `raise it to ${ALEXA_MINIMUM_LIFETIME_SECONDS} s or more (an hour is common)`,
      },
    ];
  }
  const stated =
    providerStatedLifetime === undefined
      ? "; the provider's own lifetime shows only in a real token answer, and the service logs a warning when it is under 360 s"
      : `; the provider's tokens live ${providerStatedLifetime} s`;
  return [
    {
      check: 'token-lifetime',
      severity: 'ok',
      message: `DEFAULT_EXPIRES_IN is ${config.defaultExpiresIn} s (Alexa needs at least ${ALEXA_MINIMUM_LIFETIME_SECONDS} s)${stated}`,
    },
  ];
}
