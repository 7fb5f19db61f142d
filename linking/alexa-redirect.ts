import type { Response } from 'express';
import type { LinkMode } from '../models/config';
import type { ErrorOut } from './errors';

/** Where an answer to Alexa goes: its `redirect_uri` (already checked against the allowlist), in its mode. */
export interface AlexaTarget {
  readonly redirectUri: string;
  readonly mode: LinkMode;
  /** Alexa's `state`, returned untouched; absent when Alexa's own was missing or refused. */
  readonly state?: string;
}

/**
 * Builds the redirect back to Alexa. Code-mode answers go in the query (RFC 6749 §4.1.2);
 * implicit-mode answers, errors included, go in the fragment and never in the query (§4.2.2, §4.2.2.1).
 */
export function alexaRedirect(redirectUri: string, mode: LinkMode, params: Record<string, string | undefined>): string {
  const url = new URL(redirectUri);
  const entries = Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '');
  if (mode === 'implicit') {
    url.hash = new URLSearchParams(entries).toString();
  } else {
    for (const [name, value] of entries) url.searchParams.append(name, value);
  }
  return url.toString();
}

/** Sends Alexa a result (`code`, or the implicit token) with its state. */
export function redirectResultToAlexa(res: Response, target: AlexaTarget, result: Record<string, string>): void {
  send(res, alexaRedirect(target.redirectUri, target.mode, { ...result, state: target.state }));
}

/**
 * Sends Alexa an error: the body `errorOut` made for the client (`error`, `error_description`) as the
 * redirect's parameters, with Alexa's state. @see RFC 6749 §4.1.2.1, §4.2.2.1
 */
export function redirectErrorToAlexa(res: Response, target: AlexaTarget, out: ErrorOut): void {
  send(res, alexaRedirect(target.redirectUri, target.mode, { ...out.body, state: target.state }));
}

function send(res: Response, location: string): void {
  res.set({ 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).redirect(302, location);
}
