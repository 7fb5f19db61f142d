/**
 * The account API with the test account's new token, as the skill calls it: the skill itself (its
 * handlers, its account API client and transport, its speech) answers "tell me about my account", and
 * the check reports the API's status, the fields the skill found and what Alexa would say.
 */
import type { Clock } from '../../../models/clock';
import type { Config } from '../../../models/config';
import type { DeadlineTimers } from '../../../models/deadline';
import { createLogger } from '../../../models/logger';
import type { HttpTransport, IncomingResponse, OutgoingRequest, CallOptions } from '../../../models/outbound-http';
import { AccountApiClient, AccountApiError, accountApiTransport, type AccountApi, type AccountProfile } from '../../../skill/account-api.client';
import { buildSkill } from '../../../skill/build-skill';
import { askableFields, spokenField } from '../../../skill/profile-fields';
import { speechFor } from '../../../skill/speech/speech-strings';
import { alexaRequest, newSimulatedSession, newSimulatedUser } from '../../simulator/alexa-request';
import { spokenText } from '../../simulator/simulator';
import { reveal, type Secret } from './secret';

/** The locale the skill is asked in. */
const LOCALE = 'en-US';
/** The question asked: the one answer that reads every field the skill knows. */
export const QUESTION = 'tell me about my account';

/** What the account API and the skill did with the new access token. */
export interface AccountApiFacts {
  /** The API called (without its query), or none when neither `ACCOUNT_API_URL` nor a userinfo endpoint is known. */
  readonly url?: string;
  /** As the skill reads the answer: a profile, a refused token, no usable answer, or no API set up. */
  readonly outcome: 'profile' | AccountApiError['kind'];
  readonly httpStatus?: number;
  /** Why there was no usable answer (`timeout`, `not a JSON object`), when there was none. */
  readonly reason?: string;
  readonly durationMs?: number;
  /** The fields the skill can speak that the profile has, by JSON path (`name`, `email`, `address.formatted`). */
  readonly fieldsFound: readonly string[];
  /** The fields the skill can speak that the profile lacks. */
  readonly fieldsMissing: readonly string[];
  /** What Alexa would say to {@link QUESTION}. */
  readonly speech?: string;
  /** True when the skill would also send the LinkAccount card (it thinks the link is gone). */
  readonly linkAccountCard: boolean;
}

/** What asking the skill needs: the doctor's time, for the deadline and the measurement. */
export interface AccountApiStepDeps {
  readonly clock: Clock;
  readonly timers: DeadlineTimers;
}

/**
 * Asks the skill {@link QUESTION} as the linked test account, with `accessToken` where Alexa puts it.
 * @see https://developer.amazon.com/docs/account-linking/add-account-linking-logic-custom-skill.html
 */
export async function askTheSkill(config: Config, accountApiUrl: string | undefined, accessToken: Secret, deps: AccountApiStepDeps): Promise<AccountApiFacts> {
  const transport = new StatusRecordingTransport(accountApiTransport(config.skill.accountApiTimeoutMs, deps.timers), deps.clock);
  const client = new AccountApiClient(accountApiUrl, config.skill.accountApiTimeoutMs, transport);
  let profile: AccountProfile | undefined;
  let failure: AccountApiError | undefined;
  const watched: AccountApi = {
    async fetchProfile(token) {
      try {
        profile = await client.fetchProfile(token);
        return profile;
      } catch (error) {
        if (error instanceof AccountApiError) failure = error;
        throw error;
      }
    },
  };
  // The skill's own log lines are its business; the report says what they would.
  const skill = buildSkill(config, createLogger('silent'), { accountApi: watched });
  const user = { ...newSimulatedUser('NA', LOCALE, config.skill.skillId ?? 'amzn1.ask.skill.linkbridge-doctor'), accessToken: reveal(accessToken) };
  const intent = { name: 'GetAccountSummaryIntent', confirmationStatus: 'NONE' as const, slots: {} };
  const envelope = alexaRequest({ type: 'IntentRequest', heard: QUESTION, intent, matchedSample: QUESTION }, user, newSimulatedSession(), new Date(deps.clock.now()));
  const response = await skill.invoke(envelope);

  const strings = speechFor(LOCALE);
  const fields = askableFields(strings, config.skill.fieldMap).map((field) => field.path);
  const found = profile === undefined ? [] : fields.filter((path) => spokenField(profile!, path, strings) !== undefined);
  return {
    url: accountApiUrl === undefined ? undefined : withoutQuery(accountApiUrl),
    outcome: profile !== undefined ? 'profile' : (failure?.kind ?? 'unavailable'),
    httpStatus: transport.status,
    reason: failure?.reason,
    durationMs: transport.durationMs,
    fieldsFound: found,
    fieldsMissing: profile === undefined ? [] : fields.filter((path) => !found.includes(path)),
    speech: spokenText(response.response.outputSpeech),
    linkAccountCard: response.response.card?.type === 'LinkAccount',
  };
}

/** The skill's transport, noting the status and duration of the call (the client keeps neither). */
class StatusRecordingTransport implements HttpTransport {
  status?: number;
  durationMs?: number;

  constructor(
    private readonly inner: HttpTransport,
    private readonly clock: Clock,
  ) {}

  async send(request: OutgoingRequest, options?: CallOptions): Promise<IncomingResponse> {
    const started = this.clock.now();
    try {
      const response = await this.inner.send(request, options);
      this.status = response.status;
      return response;
    } finally {
      this.durationMs = this.clock.now() - started;
    }
  }
}

function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
