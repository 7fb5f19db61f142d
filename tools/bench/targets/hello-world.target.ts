/**
 * The baseline: ask-sdk's hello-world skill served by ask-sdk-express-adapter's `ExpressAdapter`,
 * as the ASK SDK documentation writes it, with the adapter's verifiers off (the bench compares
 * verification separately).
 */
import { createServer } from 'node:http';
import { ExpressAdapter } from 'ask-sdk-express-adapter';
import express from 'express';
import { answerTheBench, listenOnLoopback } from './child-process';
import { helloWorldSkill } from './hello-world-skill';

const skill = helloWorldSkill().create();
const adapter = new ExpressAdapter(skill, false, false);
const app = express();
app.post('/alexa', adapter.getRequestHandlers());

void listenOnLoopback(createServer(app)).then((port) => answerTheBench({ http: port }));
