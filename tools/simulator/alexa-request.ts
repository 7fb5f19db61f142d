import { randomUUID } from 'node:crypto';
import type { IntentRequest, RequestEnvelope } from 'ask-sdk-model';
import type { Understood } from './utterance-resolver';

/** Alexa's regions: the redirect host the Alexa app uses for account linking, and the skill's API endpoint. */
export const ALEXA_REGIONS = {
  NA: { label: 'North America', redirectHost: 'pitangui.amazon.com', apiEndpoint: 'https://api.amazonalexa.com' },
  EU: { label: 'Europe', redirectHost: 'layla.amazon.com', apiEndpoint: 'https://api.eu.amazonalexa.com' },
  FE: { label: 'Far East', redirectHost: 'alexa.amazon.co.jp', apiEndpoint: 'https://api.fe.amazonalexa.com' },
} as const;

export type AlexaRegion = keyof typeof ALEXA_REGIONS;

/** Who is talking to the skill, on which device, and the conversation so far. */
export interface SimulatedUser {
  readonly userId: string;
  readonly deviceId: string;
  readonly region: AlexaRegion;
  readonly locale: string;
  readonly applicationId: string;
  readonly accessToken?: string;
}

/** An Alexa session: `new` on its first request; ends when the skill says so. */
export interface SimulatedSession {
  readonly sessionId: string;
  readonly new: boolean;
}

/** A fresh user and device, with ids shaped as Alexa's. */
export function newSimulatedUser(region: AlexaRegion, locale: string, applicationId: string): SimulatedUser {
  return {
    userId: `amzn1.ask.account.SIMULATOR${randomUUID().replace(/-/g, '').toUpperCase()}`,
    deviceId: `amzn1.ask.device.SIMULATOR${randomUUID().replace(/-/g, '').toUpperCase()}`,
    region,
    locale,
    applicationId,
  };
}

export function newSimulatedSession(): SimulatedSession {
  return { sessionId: `amzn1.echo-api.session.${randomUUID()}`, new: true };
}

/**
 * The request envelope Alexa sends for what was understood: a LaunchRequest or an IntentRequest,
 * with the session, the user (and the linked account's access token when there is one), the device and
 * the region's API endpoint, timestamped to the second as Alexa does.
 * @see https://developer.amazon.com/docs/custom-skills/request-and-response-json-reference.html
 */
export function alexaRequest(understood: Understood, user: SimulatedUser, session: SimulatedSession, now: Date): RequestEnvelope {
  const application = { applicationId: user.applicationId };
  const person = { userId: user.userId, ...(user.accessToken ? { accessToken: user.accessToken } : {}) };
  const common = {
    requestId: `amzn1.echo-api.request.${randomUUID()}`,
    timestamp: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
    locale: user.locale,
  };
  return {
    version: '1.0',
    session: { new: session.new, sessionId: session.sessionId, application, user: person },
    context: {
      System: {
        application,
        user: person,
        device: { deviceId: user.deviceId, supportedInterfaces: {} },
        apiEndpoint: ALEXA_REGIONS[user.region].apiEndpoint,
      },
    },
    request:
      understood.type === 'LaunchRequest'
        ? { type: 'LaunchRequest', ...common }
        : // Alexa sends `dialogState` only to skills with a dialog model; this skill has none.
          ({ type: 'IntentRequest', ...common, intent: understood.intent } as IntentRequest),
  };
}
