/**
 * ask-sdk's hello-world skill, as the ASK SDK documentation writes it: the baseline of the bench, served
 * through ask-sdk-express-adapter (`hello-world.target.ts`) and as a Lambda handler (`hello-world-lambda.target.ts`).
 * @see https://developer.amazon.com/en-US/docs/alexa/alexa-skills-kit-sdk-for-nodejs/develop-your-first-skill.html
 */
import * as Alexa from 'ask-sdk-core';

const LaunchRequestHandler: Alexa.RequestHandler = {
  canHandle: (input) => Alexa.getRequestType(input.requestEnvelope) === 'LaunchRequest',
  handle: (input) => input.responseBuilder.speak('Welcome, you can say Hello or Help.').reprompt('Say Hello or Help.').getResponse(),
};

const HelloWorldIntentHandler: Alexa.RequestHandler = {
  canHandle: (input) =>
    Alexa.getRequestType(input.requestEnvelope) === 'IntentRequest' && Alexa.getIntentName(input.requestEnvelope) === 'HelloWorldIntent',
  handle: (input) => input.responseBuilder.speak('Hello World!').getResponse(),
};

const ErrorHandler: Alexa.ErrorHandler = {
  canHandle: () => true,
  handle: (input) => input.responseBuilder.speak('Sorry, I had trouble doing what you asked.').getResponse(),
};

/** The hello-world skill's builder, its handlers added; `.create()` or `.lambda()` finishes it. */
export function helloWorldSkill(): Alexa.CustomSkillBuilder {
  return Alexa.SkillBuilders.custom().addRequestHandlers(LaunchRequestHandler, HelloWorldIntentHandler).addErrorHandlers(ErrorHandler);
}
