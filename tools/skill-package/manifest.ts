import type { v1 } from 'ask-smapi-model';
import type { Config } from '../../models/config';
import { linkingScopes, type ProviderProfile } from '../../models/provider-profile';

type Manifest = v1.skill.Manifest.SkillManifestEnvelope;
type AccountLinking = v1.skill.accountLinking.AccountLinkingRequest;

const ENGLISH_PUBLISHING: v1.skill.Manifest.SkillManifestLocalizedPublishingInformation = {
  name: 'Account Bridge',
  summary: 'Ask about your linked account: your name, your email and a summary.',
  description: 'Link your account, then ask Alexa what name and email your account has, or for a summary of your profile.',
  examplePhrases: ['Alexa, open account bridge', 'Alexa, ask account bridge what is my name', 'Alexa, ask account bridge to tell me about my account'],
  keywords: ['account', 'profile', 'email'],
};

/** Store texts per locale; the interaction models live beside the manifest in `skill-package/`. */
const PUBLISHING: Record<string, v1.skill.Manifest.SkillManifestLocalizedPublishingInformation> = {
  'en-US': ENGLISH_PUBLISHING,
  'en-GB': ENGLISH_PUBLISHING,
  'de-DE': {
    name: 'Kontobrücke',
    summary: 'Frag nach deinem verknüpften Konto: Name, E-Mail-Adresse und eine Übersicht.',
    description: 'Verknüpfe dein Konto und frag Alexa, wie du heißt, wie deine E-Mail-Adresse lautet, ob dein Konto verknüpft ist, oder lass dir dein Profil vorlesen.',
    examplePhrases: ['Alexa, öffne Kontobrücke', 'Alexa, frag Kontobrücke, wie ich heiße', 'Alexa, frag Kontobrücke, ob mein Konto verknüpft ist'],
    keywords: ['konto', 'profil', 'e-mail'],
  },
};

/** The HTTPS endpoint Alexa calls: `PUBLIC_URL + /alexa`. */
export function skillEndpoint(config: Config): string {
  return `${config.publicUrl}/alexa`;
}

/**
 * `skill-package/skill.json` for a self-hosted endpoint, subscribed to account-linked and
 * skill-disabled events, with the privacy policy URL account linking requires.
 * @see https://developer.amazon.com/docs/smapi/skill-manifest.html
 */
export function buildSkillManifest(config: Config, privacyPolicyUrl = config.skill.privacyPolicyUrl ?? `${config.publicUrl}/privacy`): Manifest {
  const endpoint: v1.skill.Manifest.SkillManifestEndpoint = { uri: skillEndpoint(config), sslCertificateType: 'Trusted' };
  const locales = Object.keys(PUBLISHING);
  return {
    manifest: {
      manifestVersion: '1.0',
      publishingInformation: {
        locales: PUBLISHING,
        isAvailableWorldwide: false,
        distributionCountries: ['US', 'GB', 'DE'],
        category: 'ORGANIZERS_AND_ASSISTANTS',
        testingInstructions: 'Enable the skill and link an account in the Alexa app, then ask: what is my name, what is my email, tell me about my account.',
      },
      apis: { custom: { endpoint, interfaces: [] } },
      events: {
        endpoint,
        subscriptions: [{ eventName: 'SKILL_ACCOUNT_LINKED' }, { eventName: 'SKILL_DISABLED' }],
      },
      privacyAndCompliance: {
        allowsPurchases: false,
        usesPersonalInfo: true,
        isChildDirected: false,
        isExportCompliant: true,
        containsAds: false,
        locales: Object.fromEntries(locales.map((locale) => [locale, { privacyPolicyUrl }])),
      },
    },
  };
}

/**
 * The body of `ask smapi update-account-linking-info`, from the running config and the provider profile
 * as the service resolves it: linkbridge's own authorization and token URLs, `AUTH_CODE` or `IMPLICIT`
 * by `LINK_MODE`, Alexa's client credentials, and the scopes linkbridge asks the provider for
 * ({@link linkingScopes}), so Alexa sends exactly those. The doctor compares a written file with this.
 * @see https://developer.amazon.com/docs/smapi/account-linking-schemas.html
 */
export function buildAccountLinkingRequest(config: Config, profile: ProviderProfile): AccountLinking {
  const scopes = linkingScopes(profile);
  // Where the sign-in page Alexa's browser is sent to comes from.
  const domains = [...new Set([profile.authorization.url, config.upstream.issuer].filter((url): url is string => Boolean(url)).map((url) => new URL(url).hostname))];
  const common = {
    authorizationUrl: `${config.publicUrl}/oauth/authorize`,
    clientId: config.alexa.clientId,
    scopes,
    domains,
    skipOnEnablement: false,
  };
  if (config.linkMode === 'implicit') {
    return { accountLinkingRequest: { type: 'IMPLICIT', ...common } };
  }
  return {
    accountLinkingRequest: {
      type: 'AUTH_CODE',
      ...common,
      accessTokenUrl: `${config.publicUrl}/oauth/token`,
      clientSecret: config.alexa.clientSecret,
      accessTokenScheme: 'HTTP_BASIC',
      defaultTokenExpirationInSeconds: config.defaultExpiresIn,
    },
  };
}
