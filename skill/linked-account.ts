import { getAccountLinkingAccessToken, getLocale, type HandlerInput } from 'ask-sdk-core';
import type { Response } from 'ask-sdk-model';
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
}

/**
 * The one place that decides whether the user is linked: no token → ask them to link (LinkAccount
 * card); a token the account API refuses → the link expired (LinkAccount card); the API down or slow →
 * a short apology. Otherwise `answer` runs with the profile.
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

  let profile: AccountProfile;
  try {
    profile = await context.accountApi.fetchProfile(token);
  } catch (error) {
    const userId = input.requestEnvelope.context.System.user.userId;
    if (!(error instanceof AccountApiError)) throw error;
    context.logger.warn({ userId, kind: error.kind, httpStatus: error.httpStatus, reason: error.reason }, 'account API gave no profile');
    if (error.kind === 'unauthorized') return respond(input, { speak: strings.linkExpired, linkAccountCard: true, endSession: true });
    if (error.kind === 'not_configured') return respond(input, { speak: strings.notConfigured, endSession: true });
    return respond(input, { speak: strings.accountUnavailable, endSession: true });
  }
  return answer({ profile, strings });
}
