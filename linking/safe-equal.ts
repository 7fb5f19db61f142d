import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time string comparison, length included: both sides are hashed to a fixed length first,
 * so neither the content nor the length of a secret leaks through timing.
 */
export function safeEqual(a: string, b: string): boolean {
  const digestA = createHash('sha256').update(a, 'utf8').digest();
  const digestB = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(digestA, digestB);
}
