import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { zipArchive } from './zip';

/**
 * The function's handler as `ask-resources.json` names it (`<file>.<export>`): the package holds
 * `lambda.js`, which exports `handler`.
 */
export const LAMBDA_HANDLER = 'lambda.handler';
const BUNDLE_FILE = 'lambda.js';

/**
 * Packages the function never loads and the package leaves out: the SQLite driver (a native addon), the Redis
 * client and the demo provider. On Lambda the store is DynamoDB and there is no demo; the handler refuses any
 * other `STORE_URL` before a store is made. Each is replaced by a stand-in that throws if it is ever called:
 * `models/create-store.ts` imports the SQLite store at its top, and that store imports its driver.
 */
const LEFT_OUT = ['better-sqlite3', 'ioredis', 'oidc-provider'] as const;

const leftOut: Plugin = {
  name: 'left-out',
  setup(build) {
    build.onResolve({ filter: new RegExp(`^(${LEFT_OUT.join('|')})$`) }, (args) => ({ path: args.path, namespace: 'left-out' }));
    build.onLoad({ filter: /.*/, namespace: 'left-out' }, (args) => ({
      contents: `function leftOut() { throw new Error(${JSON.stringify(`${args.path} is not in the AWS Lambda package (the store there is DynamoDB: STORE_URL=dynamodb://…)`)}); }
module.exports = leftOut;
module.exports.default = leftOut;`,
      loader: 'js',
    }));
  },
};

/** What a build made. */
export interface LambdaPackage {
  readonly zipFile: string;
  /** The files in the archive. */
  readonly entries: readonly string[];
  readonly bundleBytes: number;
  /** The npm packages bundled into the handler, by name. */
  readonly packages: readonly string[];
}

/**
 * Builds the function's code package: `lambda.ts` and everything it imports bundled into one CommonJS file
 * for Node.js 20 syntax (it runs on the Node.js 22 runtime), the AWS SDK clients included, at a fixed
 * version, rather than the runtime's own copy. The archive holds that one file; no `node_modules`.
 * Modules that only one kind of event or configuration needs stay in the file but run only when first
 * required, so a direct invocation never starts the Express app or the DynamoDB client.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html
 */
export async function buildLambdaPackage(sourceRoot: string, zipFile: string): Promise<LambdaPackage> {
  const result = await build({
    entryPoints: [join(sourceRoot, 'lambda.ts')],
    outfile: join(sourceRoot, 'dist', 'lambda', BUNDLE_FILE),
    write: false,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: devOnlyPackages(sourceRoot),
    plugins: [leftOut],
    metafile: true,
    logLevel: 'warning',
  });
  const bundle = result.outputFiles.find((file) => file.path.endsWith(BUNDLE_FILE));
  if (!bundle) throw new Error(`esbuild wrote no ${BUNDLE_FILE}`);
  const content = Buffer.from(bundle.contents);
  mkdirSync(dirname(resolve(zipFile)), { recursive: true });
  writeFileSync(zipFile, zipArchive([{ name: BUNDLE_FILE, content }]));
  return { zipFile: resolve(zipFile), entries: [BUNDLE_FILE], bundleBytes: content.length, packages: bundledPackages(result.metafile) };
}

/**
 * Packages installed for development only (`"dev": true` in package-lock.json), which a production install
 * would not have. Left out like the rest, so the function loads what `npm ci --omit=dev` would give it: a
 * package that asks for one optionally (`debug` tries `supports-color`) carries on without it.
 */
function devOnlyPackages(sourceRoot: string): string[] {
  const lock = JSON.parse(readFileSync(join(sourceRoot, 'package-lock.json'), 'utf8')) as { packages?: Record<string, { dev?: boolean }> };
  const dev = new Set<string>();
  const production = new Set<string>();
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    const at = path.lastIndexOf('node_modules/');
    if (at < 0) continue;
    (entry.dev === true ? dev : production).add(path.slice(at + 'node_modules/'.length));
  }
  // A name installed for production anywhere in the tree (at another version, say) stays bundled.
  return [...dev].filter((name) => !production.has(name));
}

/** The npm packages whose files went into the bundle (`node_modules/<name>/…`, scoped names included). */
export function bundledPackages(metafile: Metafile): string[] {
  const names = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    // The innermost node_modules names the package a file belongs to.
    const innermost = [...input.replace(/\\/g, '/').matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)\//g)].at(-1)?.[1];
    if (innermost !== undefined) names.add(innermost);
  }
  return [...names].sort();
}

/**
 * `hooks/build.sh <zip file>`: ask-cli's custom build flow runs it in place of npm and deploys the zip it
 * names. Run from the project root, whatever directory ask-cli runs the hook in.
 * @see https://github.com/alexa/ask-cli/blob/develop/lib/builtins/build-flows/custom.js
 */
async function main(): Promise<void> {
  const [zipFile, debug] = process.argv.slice(2);
  if (!zipFile) throw new Error('usage: lambda-package <zip file to write> [true|false]');
  const sourceRoot = join(__dirname, '..', '..');
  const built = await buildLambdaPackage(sourceRoot, zipFile);
  process.stdout.write(`built the function package ${built.zipFile} (${LAMBDA_HANDLER}, ${(built.bundleBytes / 1024).toFixed(0)} KiB of code)\n`);
  if (debug === 'true') process.stdout.write(`bundled packages: ${built.packages.join(', ')}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`lambda-package: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
