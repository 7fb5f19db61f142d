import { getAccountLinkingAccessToken, getLocale, type HandlerInput, type RequestHandler } from 'ask-sdk-core';
import type { IntentRequest, Response } from 'ask-sdk-model';
import { withLinkedAccount, type LinkedAccount } from '../linked-account';
import { accountCreated, askableFields, displayName, email, extraFields, firstName, spokenField, type ProfileField } from '../profile-fields';
import { respond } from '../respond';
import { speechFor } from '../speech/speech-strings';
import { isIntent, isOneShot, type HandlerContext } from './handler-context';

/** The custom intents this file answers; the interaction models must declare each of them. */
export const ACCOUNT_INTENTS = {
  name: 'GetNameIntent',
  firstName: 'GetFirstNameIntent',
  linked: 'GetLinkedAccountIntent',
  email: 'GetEmailIntent',
  summary: 'GetAccountSummaryIntent',
  field: 'GetAccountFieldIntent',
  language: 'GetLanguageIntent',
  created: 'GetAccountCreatedIntent',
  unlink: 'UnlinkAccountIntent',
} as const;

/** Answers a question and keeps the conversation going when there is one. */
function answer(input: HandlerInput, account: LinkedAccount, speak: string): Response {
  return isOneShot(input) ? respond(input, { speak }) : respond(input, { speak, reprompt: account.strings.whatNext });
}

function accountQuestion(
  intent: string,
  context: HandlerContext,
  speakFor: (account: LinkedAccount, input: HandlerInput) => string,
  options: { unlinked?: (strings: LinkedAccount['strings']) => string } = {},
): RequestHandler {
  return {
    canHandle: (input) => isIntent(input, intent),
    handle: (input) => withLinkedAccount(input, context, (account) => answer(input, account, speakFor(account, input)), options.unlinked),
  };
}

/** "What's my name?" */
export function nameHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(ACCOUNT_INTENTS.name, context, ({ profile, strings }) => {
    const name = displayName(profile);
    return name ? strings.yourName(name) : strings.noName;
  });
}

/** "What's my first name?": `given_name`, else the first word of the name. */
export function firstNameHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(ACCOUNT_INTENTS.firstName, context, ({ profile, strings }) => {
    const name = firstName(profile);
    return name ? strings.yourFirstName(name) : strings.noFirstName;
  });
}

/**
 * "Is my account linked?", "Which account is linked?": yes and as whom, or no and how to link (with a
 * LinkAccount card). Answering "yes" takes a profile, so a token the account API refuses is an expired link.
 */
export function linkedAccountHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(
    ACCOUNT_INTENTS.linked,
    context,
    ({ profile, strings }) => strings.linkedAs({ name: displayName(profile), email: email(profile) }),
    { unlinked: (strings) => strings.notLinkedAnswer },
  );
}

/** "What's my email?" */
export function emailHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(ACCOUNT_INTENTS.email, context, ({ profile, strings }) => {
    const address = email(profile);
    return address ? strings.yourEmail(address) : strings.noEmail;
  });
}

/** "Tell me about my account": name, email, then every extra field the profile has. */
export function summaryHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(ACCOUNT_INTENTS.summary, context, ({ profile, strings }) => {
    const items: string[] = [];
    const name = displayName(profile);
    const address = email(profile);
    if (name) items.push(strings.summaryItem(strings.fieldLabels.name, name));
    if (address) items.push(strings.summaryItem(strings.fieldLabels.email, address));
    for (const field of extraFields(strings, context.fieldMap)) {
      const value = spokenField(profile, field.path, strings);
      if (value) items.push(strings.summaryItem(field.label, value));
    }
    return items.length > 0 ? [strings.summaryIntro, ...items].join(' ') : strings.summaryEmpty;
  });
}

/**
 * "What's my phone number?", "what's my e-mail address?": one field, named by the `field` slot; the name,
 * the email and every field of the field map can be asked for this way. A word the skill does not know is
 * answered with every one it does.
 */
export function fieldHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(ACCOUNT_INTENTS.field, context, ({ profile, strings }, input) => {
    const fields = askableFields(strings, context.fieldMap);
    const field = requestedField(input, fields);
    if (!field) {
      const labels = fields.map((candidate) => candidate.label);
      const choices = `${labels.slice(0, -1).join(', ')} ${strings.orWord} ${labels[labels.length - 1]}`;
      return strings.fieldUnknown(choices);
    }
    const value = spokenField(profile, field.path, strings);
    return value ? strings.summaryItem(field.label, value) : strings.fieldMissing(field.label);
  });
}

/** "What language is my account set to?": the `locale` claim, as a language. */
export function languageHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(ACCOUNT_INTENTS.language, context, ({ profile, strings }) => {
    const label = strings.fieldLabels.locale;
    const value = spokenField(profile, 'locale', strings);
    return value ? strings.summaryItem(label, value) : strings.fieldMissing(label);
  });
}

/** "When did I create my account?": the creation time the account API gives, when it gives one. */
export function accountCreatedHandler(context: HandlerContext): RequestHandler {
  return accountQuestion(ACCOUNT_INTENTS.created, context, ({ profile, strings }) => {
    const date = accountCreated(profile, strings);
    return date ? strings.accountCreated(date) : strings.noAccountCreated;
  });
}

/**
 * "How do I unlink my account?": a skill cannot unlink itself; the Alexa app does it (the skill's page,
 * Settings, Disable Skill). Needs no call to the account API, so it answers even when the API is down.
 * @see https://developer.amazon.com/docs/account-linking/account-linking-concepts.html
 */
export const unlinkHandler: RequestHandler = {
  canHandle: (input) => isIntent(input, ACCOUNT_INTENTS.unlink),
  handle: (input) => {
    const strings = speechFor(getLocale(input.requestEnvelope));
    const speak = getAccountLinkingAccessToken(input.requestEnvelope) ? strings.howToUnlink : strings.nothingToUnlink;
    return isOneShot(input) ? respond(input, { speak }) : respond(input, { speak, reprompt: strings.whatNext });
  },
};

/** The field the user asked for: by the slot's resolved id (the JSON path), else by its spoken label. */
function requestedField(input: HandlerInput, fields: ProfileField[]): ProfileField | undefined {
  const slot = (input.requestEnvelope.request as IntentRequest).intent.slots?.field;
  const resolved = slot?.resolutions?.resolutionsPerAuthority?.find((authority) => authority.status.code === 'ER_SUCCESS_MATCH');
  const id = resolved?.values[0]?.value.id;
  const byId = id ? fields.find((field) => field.path === id) : undefined;
  if (byId) return byId;
  const spoken = slot?.value?.trim().toLowerCase();
  return spoken ? fields.find((field) => field.label.toLowerCase() === spoken) : undefined;
}
