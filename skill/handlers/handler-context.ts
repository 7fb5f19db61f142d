import type { HandlerInput } from 'ask-sdk-core';
import type { AccountContext } from '../linked-account';

/** What every handler is built with. */
export interface HandlerContext extends AccountContext {
  /** Extra profile fields: JSON path → spoken label (`LINKBRIDGE_CONFIG` `skill.fieldMap`). */
  readonly fieldMap?: Readonly<Record<string, string>>;
}

export function isIntent(input: HandlerInput, ...names: string[]): boolean {
  const request = input.requestEnvelope.request;
  return request.type === 'IntentRequest' && names.includes(request.intent.name);
}

/** A one-shot question ("Alexa, ask … what's my name") ends the session; inside a conversation it stays open. */
export function isOneShot(input: HandlerInput): boolean {
  return input.requestEnvelope.session?.new ?? true;
}
