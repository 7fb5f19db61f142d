import { SkillRequestSignatureVerifier, TimestampVerifier, type Verifier } from 'ask-sdk-express-adapter';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Logger } from '../models/logger';
import { AccountApiClient } from './account-api.client';
import { buildSkill } from './build-skill';
import { checkEnvelope } from './request-envelope';
import type { SkillHostDeps } from './skill-deps';

/** Budget for verifying a request (the signature check may fetch Amazon's certificate chain). */
const VERIFY_TIMEOUT_MS = 3000;

/**
 * `POST /alexa`: the skill endpoint. The body is read raw, so ask-sdk-express-adapter's signature and
 * timestamp verifiers see the exact bytes Alexa signed; nothing before this route parses bodies.
 * Unlike the adapter's own handler, a request that fails verification, is not JSON or is meant for
 * another skill gets a 400 with no internal message, and the certificate fetch has a time limit.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html
 */
export function createSkillRouter(deps: SkillHostDeps): Router {
  const { config } = deps;
  const logger = deps.logger.child({ route: 'alexa' });
  const accountApi = deps.skill?.accountApi ?? new AccountApiClient(config.skill.accountApiUrl, config.skill.accountApiTimeoutMs);
  const skill = buildSkill(config, logger, { accountApi });
  const verifiers: Verifier[] = config.skill.verifySignature ? [new SkillRequestSignatureVerifier(), new TimestampVerifier()] : [];
  if (!config.skill.verifySignature) {
    logger.warn(
      'ALEXA_VERIFY_SIGNATURE=false: request signature and timestamp checks are OFF, so anyone can call /alexa as any user. Use this for local testing only.',
    );
  }

  const router = Router();
  router.post('/alexa', refuseParsedBody(logger), express.text({ type: () => true, limit: '256kb' }), async (req: Request, res: Response) => {
    const body = typeof req.body === 'string' ? req.body : '';
    try {
      await withTimeout(Promise.all(verifiers.map((verifier) => verifier.verify(body, req.headers))), VERIFY_TIMEOUT_MS);
    } catch (error) {
      logger.warn({ cause: error instanceof Error ? error.message : 'unknown' }, 'Alexa request refused: signature or timestamp verification failed');
      return refuse(res, 'request verification failed');
    }
    const checked = checkEnvelope(body, config.skill.skillId);
    if (!checked.ok) {
      if (checked.otherSkillId !== undefined) logger.warn({ applicationId: checked.otherSkillId }, 'Alexa request refused: it is for another skill id (SKILL_ID)');
      return refuse(res, checked.reason);
    }
    const { envelope } = checked;
    try {
      res.json(await skill.invoke(envelope));
    } catch (error) {
      logFailure(logger, error);
      res.status(500).json({ error: 'server_error' });
    }
  });
  return router;
}

/**
 * A body parser in front of this route would hand the verifiers a re-serialized body that no longer
 * matches Alexa's signature, so every request would fail; say so loudly instead (as the adapter does).
 */
function refuseParsedBody(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.body === undefined) return next();
    logger.error('a body parser ran before POST /alexa; the skill route must read the raw body (see app.ts)');
    res.status(500).json({ error: 'server_error' });
  };
}

function refuse(res: Response, reason: string): void {
  res.status(400).json({ error: 'bad_request', reason });
}

function logFailure(logger: Logger, error: unknown): void {
  logger.error({ cause: error instanceof Error ? `${error.constructor.name}: ${error.message}` : 'unknown' }, 'skill dispatch failed');
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`verification took longer than ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
