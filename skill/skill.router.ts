import { Router } from 'express';
import type { AppDeps } from '../app';

/** `POST /alexa`: the skill endpoint. */
export function createSkillRouter(_deps: AppDeps): Router {
  return Router();
}
