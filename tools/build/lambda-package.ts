import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build, type Metafile, type Plugin } from 'esbuild';
import { zipArchive } from './zip';

/**
 * The function's handler as `ask-resources.json` names it (`<file>.<export>`): the package's entry is
 * `lambda.mjs` (an ES module, which Lambda's Node.js runtimes load by its extension), exporting `handler`.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-handler.html
 */
export const LAMBDA_HANDLER = 'lambda.handler';
export const ENTRY_FILE = 'lambda.mjs';

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

/**
 * The bundled CommonJS packages call `require` and read `__dirname`, which an ES module does not have; each
 * file of the package defines them for its own location first.
 */
const COMMONJS_NAMES = [
  "import { createRequire as __createRequire } from 'node:module';",
  "import { fileURLToPath as __fileURLToPath } from 'node:url';",
  'const require = __createRequire(import.meta.url);',
  'const __filename = __fileURLToPath(import.meta.url);',
  "const __dirname = __fileURLToPath(new URL('.', import.meta.url));",
].join(' ');

/** What a build made. */
export interface LambdaPackage {
  readonly zipFile: string;
  /** The files in the archive. */
  readonly entries: readonly string[];
  readonly bundleBytes: number;
  /** The npm packages bundled into the handler, by name. */
  readonly packages: readonly string[];
}

/** One file of the package: its path inside the archive and its content. */
export interface PackageFile {
  readonly name: string;
  readonly content: Buffer;
}

/**
 * Builds the function's code package: `lambda.ts` and everything it imports, bundled for Node.js 20 syntax
 * (it runs on the Node.js 22 runtime) as ES modules, the AWS SDK clients included at a fixed version rather
 * than the runtime's own copy; no `node_modules`. The code is split where the handler loads each half at its
 * first event (`import()` of `aws/lambda-skill.ts` and `aws/lambda-http.ts`): a cold start for a direct
 * invocation reads and compiles the entry, the configuration and the skill, not the Express app, undici or
 * the DynamoDB client.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/nodejs-package.html
 * @see https://esbuild.github.io/api/#splitting
 */
export async function buildLambdaPackage(sourceRoot: string, zipFile: string): Promise<LambdaPackage> {
  const { files, packages } = await bundleLambda(sourceRoot);
  mkdirSync(dirname(resolve(zipFile)), { recursive: true });
  writeFileSync(zipFile, zipArchive(files));
  return { zipFile: resolve(zipFile), entries: files.map((file) => file.name), bundleBytes: files.reduce((sum, file) => sum + file.content.length, 0), packages };
}

/** The package's files, the entry first, and the npm packages bundled into them. */
export async function bundleLambda(sourceRoot: string): Promise<{ readonly files: readonly PackageFile[]; readonly packages: readonly string[] }> {
  const outdir = join(sourceRoot, 'dist', 'lambda');
  const result = await build({
    entryPoints: { lambda: join(sourceRoot, 'lambda.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    write: false,
    bundle: true,
    splitting: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    banner: { js: COMMONJS_NAMES },
    external: devOnlyPackages(sourceRoot),
    plugins: [leftOut],
    metafile: true,
    logLevel: 'warning',
  });
  const files = result.outputFiles
    .map((file) => ({ name: relative(outdir, file.path).replace(/\\/g, '/'), content: Buffer.from(file.contents) }))
    .sort((a, b) => (a.name === ENTRY_FILE ? -1 : b.name === ENTRY_FILE ? 1 : a.name.localeCompare(b.name)));
  if (files[0]?.name !== ENTRY_FILE) throw new Error(`esbuild wrote no ${ENTRY_FILE}`);
  return { files, packages: bundledPackages(result.metafile) };
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
  process.stdout.write(`built the function package ${built.zipFile} (${LAMBDA_HANDLER}: ${built.entries.length} files, ${(built.bundleBytes / 1024).toFixed(0)} KiB of code)\n`);
  if (debug === 'true') process.stdout.write(`files: ${built.entries.join(', ')}\nbundled packages: ${built.packages.join(', ')}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`lambda-package: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
