import { getRequestType, type RequestHandler } from 'ask-sdk-core';
import { withLinkedAccount } from '../linked-account';
import { displayName } from '../profile-fields';
import { respond } from '../respond';
import type { HandlerContext } from './handler-context';

/** LaunchRequest: greet a linked user by name; an unlinked one hears how to link. */
export function launchHandler(context: HandlerContext): RequestHandler {
  return {
    canHandle: (input) => getRequestType(input.requestEnvelope) === 'LaunchRequest',
    handle: (input) =>
      withLinkedAccount(input, context, ({ profile, strings }) => {
        const name = displayName(profile);
        return respond(input, { speak: name ? strings.welcomeLinked(name) : strings.welcomeLinkedNoName, reprompt: strings.whatNext });
      }),
  };
}
