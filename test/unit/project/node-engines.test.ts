/**
 * The README promises Node.js 20.19 or newer. Every package `npm install` brings, dev dependencies
 * included, must accept that Node: a package that asks for a newer one makes `npm install` warn
 * `EBADENGINE`, and may not run (Chromium builds for Node 22 only, say).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { satisfies } from 'semver';

const ROOT = join(__dirname, '..', '..', '..');
/** The oldest Node the README and `package.json` promise. */
const PROMISED_NODE = '20.19.0';

interface LockedPackage {
  readonly version?: string;
  readonly engines?: { readonly node?: string } | readonly string[];
  readonly optional?: boolean;
}

test(`package.json promises Node ${PROMISED_NODE} and the README says so`, () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
  expect(manifest.engines.node).toBe('>=20.19');
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('Node.js 20.19 or newer');
});

test(`every locked package accepts Node ${PROMISED_NODE}`, () => {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockedPackage> };
  const refusing = Object.entries(lock.packages)
    .filter(([path, locked]) => path !== '' && !locked.optional && !Array.isArray(locked.engines))
    .map(([path, locked]) => ({ path, version: locked.version, node: (locked.engines as { node?: string } | undefined)?.node }))
    .filter((locked) => locked.node !== undefined && !satisfies(PROMISED_NODE, locked.node, { includePrerelease: true }));
  expect(refusing).toEqual([]);
});
