import { join } from 'node:path';
import { build } from 'esbuild';

/**
 * Packages left out of the bundle and loaded from node_modules as they are: better-sqlite3 is a native
 * addon; the rest are loaded only when a configuration needs them (oidc-provider for the demo, ioredis
 * for a `redis://` store, the AWS SDK's DynamoDB client for a `dynamodb://` store, undici at the first
 * provider call), so bundling them would only add to what every start reads.
 */
const UNBUNDLED = ['better-sqlite3', 'oidc-provider', 'ioredis', '@aws-sdk/client-dynamodb', 'undici'] as const;

/**
 * Writes linkbridge's server (`main.ts` and everything it imports) as one file. Node then reads and
 * compiles one file at start instead of several hundred (zod alone is 235 modules), which is most of what a
 * start spends before it can answer; `npm start` runs this file.
 */
export async function bundleServer(sourceRoot: string, outfile = join(sourceRoot, 'dist', 'linkbridge.js')): Promise<string> {
  await build({
    entryPoints: [join(sourceRoot, 'main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: [...UNBUNDLED],
    sourcemap: true,
    logLevel: 'warning',
  });
  return outfile;
}

if (require.main === module) {
  // Run from `dist/tools/build/` (npm run build) or from `tools/build/` (ts-node).
  const sourceRoot = __dirname.endsWith(join('dist', 'tools', 'build')) ? join(__dirname, '..', '..', '..') : join(__dirname, '..', '..');
  bundleServer(sourceRoot).then(
    (outfile) => process.stdout.write(`bundled the server into ${outfile}\n`),
    (error: unknown) => {
      process.stderr.write(`bundle: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
