import { once } from 'node:events';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { createApp } from '../../app';
import * as buildSkillModule from '../../skill/build-skill';
import { createInProcessSkill } from '../../skill/in-process-skill';
import { createSkillRouter } from '../../skill/skill.router';
import { launchRequest } from '../fixtures/skill/envelopes';
import { Cleanup } from './cleanup';
import { CapturedLogs, testDeps } from './test-app';

/** One way the skill endpoint refused a request, and what the caller got. */
export interface SkillRefusalSeen {
  readonly kind: string;
  readonly status: number;
  readonly body: unknown;
}

/** Every kind of refusal `POST /alexa` has, each driven once, in the order of the route's checks. */
export const ALEXA_REFUSAL_KINDS = [
  'verification failed',
  'not an envelope',
  'another skill',
  'body too large',
  'compressed body',
  'another charset',
  'body cut short',
  'dispatch failed',
  'a body parser in front of the route',
] as const;

const UNVERIFIED = { ALEXA_VERIFY_SIGNATURE: 'false' };

async function appWith(env: Record<string, string> = {}): Promise<Express> {
  return createApp(await testDeps({ env, logs: new CapturedLogs() }));
}

function post(app: Express, body: string, headers: Record<string, string> = {}) {
  return request(app).post('/alexa').set('Content-Type', 'application/json').set(headers).send(body);
}

/** Drives every kind of refusal of `POST /alexa` and returns what came back, kind by kind. */
export async function driveAlexaRefusals(): Promise<SkillRefusalSeen[]> {
  const seen: SkillRefusalSeen[] = [];
  const record = (kind: string, response: { status: number; body: unknown }) => seen.push({ kind, status: response.status, body: response.body });
  const launch = JSON.stringify(launchRequest());

  record('verification failed', await post(await appWith(), launch));
  record('not an envelope', await post(await appWith(UNVERIFIED), '{not json'));
  record('another skill', await post(await appWith({ ...UNVERIFIED, SKILL_ID: 'amzn1.ask.skill.someone-else' }), launch));
  record('body too large', await post(await appWith(UNVERIFIED), 'x'.repeat(256 * 1024 + 1)));
  record('compressed body', await post(await appWith(UNVERIFIED), launch, { 'Content-Encoding': 'gzip' }));
  record('another charset', await post(await appWith(UNVERIFIED), launch, { 'Content-Type': 'application/json; charset=iso-8859-1' }));
  seen.push({ kind: 'body cut short', ...(await bodyCutShort()) });
  record('dispatch failed', await post(await dispatchFailing(), launch));
  const misassembled = express()
    .use(express.json())
    .use(createSkillRouter(await testDeps({ env: UNVERIFIED })));
  record('a body parser in front of the route', await post(misassembled, launch));
  return seen;
}

/** What the in-process entry (the simulator's) answers for each of its refusals. */
export async function driveInProcessRefusals(): Promise<SkillRefusalSeen[]> {
  const seen: SkillRefusalSeen[] = [];
  const skill = createInProcessSkill(await testDeps({ env: { SKILL_ID: 'amzn1.ask.skill.someone-else' } }));
  seen.push({ kind: 'not an envelope', ...(await skill.invoke({ request: 'no' })) });
  seen.push({ kind: 'another skill', ...(await skill.invoke(launchRequest())) });
  const spy = jest.spyOn(buildSkillModule, 'buildSkill').mockImplementation(failingSkill);
  try {
    seen.push({ kind: 'dispatch failed', ...(await createInProcessSkill(await testDeps()).invoke(launchRequest())) });
  } finally {
    spy.mockRestore();
  }
  return seen;
}

/** A skill whose dispatch itself fails (not a handler: the SDK's error handler answers those). */
function failingSkill(): ReturnType<typeof buildSkillModule.buildSkill> {
  return { invoke: () => Promise.reject(new Error('the dispatcher failed')) } as unknown as ReturnType<typeof buildSkillModule.buildSkill>;
}

async function dispatchFailing(): Promise<Express> {
  const spy = jest.spyOn(buildSkillModule, 'buildSkill').mockImplementation(failingSkill);
  try {
    return await appWith(UNVERIFIED);
  } finally {
    spy.mockRestore();
  }
}

/**
 * A body cut short: the client closes the connection mid-body, so no answer reaches it. What the app
 * answered is read on the server's side, where it is written (and then dropped with the connection).
 */
async function bodyCutShort(): Promise<{ status: number; body: unknown }> {
  const cleanup = new Cleanup();
  try {
    let answered: (answer: { status: number; body: unknown }) => void = () => undefined;
    const answer = new Promise<{ status: number; body: unknown }>((resolve) => (answered = resolve));
    let reading: () => void = () => undefined;
    const routeIsReading = new Promise<void>((resolve) => (reading = resolve));
    const outer = express()
      .use((_req: Request, res: Response, next: NextFunction) => {
        const json = res.json.bind(res);
        res.json = (body: unknown) => {
          answered({ status: res.statusCode, body });
          return json(body);
        };
        // The app's middleware up to the body reader runs within this call: once it returns, the route reads.
        next();
        reading();
      })
      .use(await appWith(UNVERIFIED));
    const server = cleanup.add(createServer(outer), (started) => new Promise((resolve) => started.close(resolve)));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const socket = cleanup.add(connect((server.address() as AddressInfo).port, '127.0.0.1'), (open) => open.destroy());
    await once(socket, 'connect');
    socket.write('POST /alexa HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"version":');
    // Once the route is reading the body, the client goes away.
    await routeIsReading;
    socket.destroy();
    return await answer;
  } finally {
    await cleanup.run();
  }
}
