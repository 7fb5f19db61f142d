import { getAccountLinkingAccessToken, getLocale, type HandlerInput } from 'ask-sdk-core';
import type { Response } from 'ask-sdk-model';
import type { LinkedAccounts } from '../models/linked-accounts';
import type { Logger } from '../models/logger';
import { AccountApiError, type AccountApi, type AccountProfile } from './account-api.client';
import { respond } from './respond';
import { speechFor, type SpeechStrings } from './speech/speech-strings';

/** What a handler that needs the account gets. */
export interface LinkedAccount {
  readonly profile: AccountProfile;
  readonly strings: SpeechStrings;
}

/** What the account check needs. */
export interface AccountContext {
  readonly accountApi: AccountApi;
  readonly logger: Logger;
  /** Vault custody: Alexa's token is linkbridge's, resolved here to the provider's; absent in relay custody. */
  readonly linkedAccounts?: LinkedAccounts;
}

/**
 * The one place that decides whether the user is linked: no token → ask them to link (LinkAccount
 * card); a token the account API refuses, or (vault custody) a link that ended or died → the link
 * expired (LinkAccount card); the API, the provider or the store down or slow → a short apology.
 * Otherwise `answer` runs with the profile.
 * @see https://developer.amazon.com/docs/account-linking/add-account-linking-logic-custom-skill.html
 */
export async function withLinkedAccount(
  input: HandlerInput,
  context: AccountContext,
  answer: (account: LinkedAccount) => Response,
  /** What to say when there is no link, when the question deserves more than the usual "link it first". */
  unlinked: (strings: SpeechStrings) => string = (strings) => strings.notLinked,
): Promise<Response> {
  const strings = speechFor(getLocale(input.requestEnvelope));
  const token = getAccountLinkingAccessToken(input.requestEnvelope);
  if (!token) return respond(input, { speak: unlinked(strings), linkAccountCard: true, endSession: true });

  const userId = input.requestEnvelope.context.System.user.userId;
  let credentials: { readonly accessToken: string; readonly identity?: Readonly<Record<string, string>> } = { accessToken: token };
  if (context.linkedAccounts) {
    const found = await context.linkedAccounts.resolve(token, userId);
    if (found.status !== 'linked') {
      context.logger.warn({ userId, link: found.status, reason: found.reason }, 'the linked account could not be used');
      if (found.status === 'expired') return respond(input, { speak: strings.linkExpired, linkAccountCard: true, endSession: true });
      return respond(input, { speak: strings.accountUnavailable, endSession: true });
    }
    credentials = found.credentials;
  }

  let profile: AccountProfile;
  try {
    profile = await context.accountApi.fetchProfile(credentials.accessToken, credentials.identity);
  } catch (error) {
    if (!(error instanceof AccountApiError)) throw error;
    context.logger.warn({ userId, kind: error.kind, httpStatus: error.httpStatus, reason: error.reason }, 'account API gave no profile');
    if (error.kind === 'unauthorized') return respond(input, { speak: strings.linkExpired, linkAccountCard: true, endSession: true });
    if (error.kind === 'not_configured') return respond(input, { speak: strings.notConfigured, endSession: true });
    return respond(input, { speak: strings.accountUnavailable, endSession: true });
  }
  return answer({ profile, strings });
}
