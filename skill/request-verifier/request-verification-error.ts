/** Why a request to `/alexa` was refused; each reason is one check Amazon requires. */
export type RequestVerificationReason =
  | 'missing-headers'
  | 'certificate-url'
  | 'certificate-unavailable'
  | 'certificate-chain'
  | 'certificate-domain'
  | 'certificate-validity'
  | 'signature'
  | 'timestamp';

/**
 * A request that is not provably Alexa's, or not fresh. The message is for the log (it never holds
 * the signature or the body); the caller answers 400 without it.
 * @see https://developer.amazon.com/docs/custom-skills/host-a-custom-skill-as-a-web-service.html#verify-request-sent-by-alexa
 */
export class RequestVerificationError extends Error {
  constructor(
    readonly reason: RequestVerificationReason,
    message: string,
  ) {
    super(message);
    this.name = 'RequestVerificationError';
  }
}
