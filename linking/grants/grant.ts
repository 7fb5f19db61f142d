import type { Logger } from '../../models/logger';
import type { Params } from '../params';
import type { AlexaTokenResponse } from '../token-response';

/** One authenticated token request as a grant handler sees it. */
export interface TokenRequest {
  readonly params: Params;
  readonly clientId: string;
  readonly log: Logger;
}

/** Answers one `grant_type` at the token endpoint. @see https://www.rfc-editor.org/rfc/rfc6749#section-4 */
export type GrantHandler = (request: TokenRequest) => Promise<AlexaTokenResponse>;
