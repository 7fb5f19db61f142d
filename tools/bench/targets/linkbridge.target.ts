/**
 * linkbridge as `main.ts` builds it (config from the environment, `buildDeps`, `createApp`), without
 * the demo provider. `BENCH_VERIFIER` picks what checks `/alexa` requests:
 * - `none`: ALEXA_VERIFY_SIGNATURE=false;
 * - `linkbridge`: the skill's own verifier, trusting only the bench's test root, its certificate
 *   download served by the peers process instead of s3.amazonaws.com;
 * - `stock`: ask-sdk-express-adapter's `SkillRequestSignatureVerifier` and `TimestampVerifier`.
 *   They trust only Node's bundled roots and download from s3.amazonaws.com, so the bench seeds the
 *   stock verifier's certificate cache with the test chain, as its first download would have (what
 *   is measured is its per-request cost: a PEM parse and an RSA check each time).
 */
import { createServer } from 'node:http';
import { SkillRequestSignatureVerifier, TimestampVerifier } from 'ask-sdk-express-adapter';
import { createApp } from '../../../app';
import { buildDeps } from '../../../deps';
import { loadConfig } from '../../../models/config';
import { createLogger } from '../../../models/logger';
import { AlexaRequestVerifier, type RequestVerifier } from '../../../skill/request-verifier/alexa-request-verifier';
import { answerTheBench, listenOnLoopback } from './child-process';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const logger = createLogger(config.logLevel);
  const deps = await buildDeps(config, logger);
  const requestVerifier = benchVerifier(process.env.BENCH_VERIFIER ?? 'none');
  const server = createServer(createApp(requestVerifier ? { ...deps, skill: { requestVerifier } } : deps));
  answerTheBench({ http: await listenOnLoopback(server, 0) });
}

function benchVerifier(kind: string): RequestVerifier | undefined {
  const certificateServer = process.env.BENCH_CERTIFICATE_SERVER ?? '';
  const chainPem = process.env.BENCH_CERTIFICATE_CHAIN ?? '';
  const rootPem = process.env.BENCH_TRUSTED_ROOT ?? '';
  if (kind === 'linkbridge') {
    return new AlexaRequestVerifier({
      trustedRoots: [rootPem],
      fetchCertificateChain: async (url, signal) => {
        const response = await fetch(new URL(url.pathname, certificateServer), { signal });
        if (response.status !== 200) throw new Error(`certificate download answered HTTP ${response.status}`);
        return response.text();
      },
    });
  }
  if (kind === 'stock') {
    const signature = new SkillRequestSignatureVerifier();
    (signature as unknown as { certCache: Map<string, string> }).certCache.set(process.env.BENCH_CERTIFICATE_URL ?? '', chainPem);
    const timestamp = new TimestampVerifier();
    return {
      verify: async (rawBody, headers) => {
        await Promise.all([signature.verify(rawBody, headers), timestamp.verify(rawBody)]);
      },
    };
  }
  return undefined;
}

main().catch((error: unknown) => {
  process.stderr.write(`bench target failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
