/**
 * The baseline: ask-sdk's hello-world skill served by ask-sdk-express-adapter's `ExpressAdapter`,
 * as the ASK SDK documentation writes it, with the adapter's verifiers off (the bench compares
 * verification separately).
 */
import { createServer } from 'node:http';
import * as Alexa from 'ask-sdk-core';
import { ExpressAdapter } from 'ask-sdk-express-adapter';
import express from 'express';
import { answerTheBench, listenOnLoopback } from './child-process';

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

const skill = Alexa.SkillBuilders.custom().addRequestHandlers(LaunchRequestHandler, HelloWorldIntentHandler).addErrorHandlers(ErrorHandler).create();
const adapter = new ExpressAdapter(skill, false, false);
const app = express();
app.post('/alexa', adapter.getRequestHandlers());

void listenOnLoopback(createServer(app)).then((port) => answerTheBench({ http: port }));
