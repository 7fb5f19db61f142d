import { Router, type NextFunction, type Request, type Response } from 'express';
import { describeCause, type Logger } from '../models/logger';
import { noMetrics } from '../models/metrics';
import { readBodyText } from '../models/read-body';
import { AccountApiClient } from './account-api.client';
import { buildSkill } from './build-skill';
import { checkEnvelope } from './request-envelope';
import { AlexaRequestVerifier } from './request-verifier/alexa-request-verifier';
import type { SkillHostDeps } from './skill-deps';
import { envelopeRefused, refusalFor, skillFailed, verificationFailed, type SkillRefusal } from './skill-refusal';
import { skillRequestLabel } from './skill-request-label';

/**
 * `POST /alexa`: the skill endpoint. The body is read raw, so the request verifier (signature and
 * timestamp) sees the exact bytes Alexa signed; nothing before this route parses bodies. Every refusal
 * (verification failed, not an envelope, another skill, a body too large, compressed, in another
 * charset or cut short, a failed dispatch) has the one error body (`skill-refusal.ts`), never an
 * internal message.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html
 */
export function createSkillRouter(deps: SkillHostDeps): Router {
  const { config } = deps;
  const logger = deps.logger.child({ route: 'alexa' });
  const accountApi = deps.skill?.accountApi ?? new AccountApiClient(config.skill.accountApiUrl, config.skill.accountApiTimeoutMs, undefined, config.skill.accountApiHeaders);
  const skill = buildSkill(config, logger, { accountApi, linkedAccounts: deps.skill?.linkedAccounts });
  const verifier = config.skill.verifySignature ? (deps.skill?.requestVerifier ?? new AlexaRequestVerifier({ clock: deps.clock })) : undefined;
  const metrics = deps.metrics ?? noMetrics;
  if (!config.skill.verifySignature) {
    logger.warn(
      'ALEXA_VERIFY_SIGNATURE=false: request signature and timestamp checks are OFF, so anyone can call /alexa as any user. Use this for local testing only.',
    );
  }

  const router = Router();
  router.post(
    '/alexa',
    refuseParsedBody(logger),
    readBodyText(256 * 1024),
    async (req: Request, res: Response) => {
      const body = typeof req.body === 'string' ? req.body : '';
      const parsed = parseJson(body);
      const requestLabel = skillRequestLabel(parsed);
      try {
        await verifier?.verify(body, req.headers, parsed);
      } catch (error) {
        logger.warn({ cause: describeCause(error) }, 'Alexa request refused: signature or timestamp verification failed');
        metrics.skillRequest(requestLabel, 'refused');
        return refuse(res, verificationFailed());
      }
      const checked = checkEnvelope(parsed ?? body, config.skill.skillId);
      if (!checked.ok) {
        if (checked.otherSkillId !== undefined) logger.warn({ applicationId: checked.otherSkillId }, 'Alexa request refused: it is for another skill id (SKILL_ID)');
        metrics.skillRequest(requestLabel, 'refused');
        return refuse(res, envelopeRefused(checked.reason));
      }
      try {
        const answer = await skill.invoke(checked.envelope);
        metrics.skillRequest(requestLabel, answer.response.card?.type === 'LinkAccount' ? 'link_account' : 'answered');
        res.json(answer);
      } catch (error) {
        logger.error({ cause: describeCause(error) }, 'skill dispatch failed');
        metrics.skillRequest(requestLabel, 'failed');
        refuse(res, refusalFor(error));
      }
    },
    // A body the reader refused (too large, compressed, another charset, cut short), by its type.
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const refusal = refusalFor(error);
      if (refusal.status === 500) logger.error({ cause: describeCause(error) }, 'Alexa request failed');
      metrics.skillRequest('other', refusal.status === 500 ? 'failed' : 'refused');
      refuse(res, refusal);
    },
  );
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
    refuse(res, skillFailed());
  };
}

function refuse(res: Response, refusal: SkillRefusal): void {
  res.status(refusal.status).json(refusal.body);
}

/** The body as JSON, or `undefined` when it is not JSON (the envelope check then says why). */
function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
