/**
 * The house rules the lint enforces: the product's wings (skill/, linking/, models/) never import a
 * developer tool, the skill never imports linking/, and models/ imports neither. Checked by running the
 * project's own ESLint configuration on files placed in each wing.
 */
import { join } from 'node:path';
import { ESLint } from 'eslint';

const ROOT = join(__dirname, '..', '..', '..');
const eslint = new ESLint({ cwd: ROOT });

async function importErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return result.messages.filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('product wings never import a tool', () => {
  test.each([
    ['linking/fixture.ts', "import { runDoctor } from '../tools/doctor/run-doctor';\nexport const run = runDoctor;\n"],
    ['skill/handlers/fixture.ts', "import type { Simulator } from '../../tools/simulator/simulator';\nexport type S = Simulator;\n"],
    ['models/fixture.ts', "export { startDemoProvider } from '../tools/demo/demo-provider';\n"],
  ])('%s importing a tool fails the lint', async (filePath, code) => {
    expect(await importErrors(filePath, code)).toEqual([expect.stringContaining('never import a developer tool')]);
  });

  test.each([
    ['skill/fixture.ts', "import { UpstreamClient } from '../linking/upstream-client';\nexport const c = UpstreamClient;\n", 'the skill never imports linking/'],
    ['models/fixture.ts', "import { createLinkingRouter } from '../linking/linking.router';\nexport const r = createLinkingRouter;\n", 'imports neither skill/ nor linking/'],
    ['models/fixture.ts', "import { buildSkill } from '../skill/build-skill';\nexport const b = buildSkill;\n", 'imports neither skill/ nor linking/'],
  ])('%s crossing into another wing fails the lint', async (filePath, code, why) => {
    expect(await importErrors(filePath, code)).toEqual([expect.stringContaining(why)]);
  });

  test('the entry files and the tools themselves may import tools; the product may import itself', async () => {
    expect(await importErrors('app.ts', "import { createSimulatorRouter } from './tools/simulator/simulator.router';\nexport const r = createSimulatorRouter;\n")).toEqual([]);
    expect(await importErrors('tools/doctor/fixture.ts', "import { loadConfig } from '../../models/config';\nexport const l = loadConfig;\n")).toEqual([]);
    expect(await importErrors('linking/fixture.ts', "import { loadConfig } from '../models/config';\nexport const l = loadConfig;\n")).toEqual([]);
    expect(await importErrors('skill/fixture.ts', "import { loadConfig } from '../models/config';\nexport const l = loadConfig;\n")).toEqual([]);
    expect(await importErrors('models/fixture.ts', "import { oidcPreset } from './presets/oidc.preset';\nexport const p = oidcPreset;\n")).toEqual([]);
  });
});
