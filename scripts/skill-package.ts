import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../models/config';
import { buildAccountLinkingRequest, buildSkillManifest } from '../skill/skill-package';

/**
 * `npm run skill:package`: writes `skill-package/skill.json` (endpoint from PUBLIC_URL) and
 * `accountLinking.json` (kept out of git: it holds ALEXA_CLIENT_SECRET) from the running config.
 */
function main(): void {
  const root = process.cwd();
  const config = loadConfig(process.env);
  if (!config.publicUrl.startsWith('https://')) {
    process.stderr.write(`warning: PUBLIC_URL is ${config.publicUrl}; Alexa calls only HTTPS endpoints\n`);
  }
  if (!config.skill.privacyPolicyUrl) {
    process.stderr.write(`warning: PRIVACY_POLICY_URL is not set; using ${config.publicUrl}/privacy (skills with account linking need a real one)\n`);
  }
  const manifestPath = join(root, 'skill-package', 'skill.json');
  const linkingPath = join(root, 'accountLinking.json');
  writeFileSync(manifestPath, `${JSON.stringify(buildSkillManifest(config), null, 2)}\n`);
  writeFileSync(linkingPath, `${JSON.stringify(buildAccountLinkingRequest(config), null, 2)}\n`, { mode: 0o600 });
  chmodSync(linkingPath, 0o600); // `mode` above applies only when the file is new; the secret stays owner-only either way
  process.stdout.write(`wrote ${manifestPath}\nwrote ${linkingPath}\n`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`skill:package: configuration error: ${error.message}\n`);
  process.exit(1);
}
