/**
 * In vault custody the skill events reach the links: `SkillDisabled` ends the user's link and
 * `SkillAccountLinked` binds the new one, both handed over at once (the work goes on in the background),
 * so the answer to Alexa waits for nothing. Without the links (relay custody) they are only logged.
 */
import type { LinkedAccounts } from '../../../models/linked-accounts';
import { buildSkill } from '../../../skill/build-skill';
import { skillEvent, USER_ID } from '../../fixtures/skill/envelopes';
import { CapturedLogs, captureLogger, testConfig } from '../../support/test-app';

class RecordedLinks implements LinkedAccounts {
  readonly calls: string[] = [];
  async resolve(): Promise<never> {
    throw new Error('not asked here');
  }
  accountLinked(userId: string, token: string | undefined): void {
    this.calls.push(`linked ${userId} ${token}`);
  }
  skillDisabled(userId: string, token: string | undefined): void {
    this.calls.push(`disabled ${userId} ${token}`);
  }
}

const accountApi = { fetchProfile: () => Promise.reject(new Error('not called')) };

test('SkillDisabled and SkillAccountLinked reach the links with the user and the token the event carries', async () => {
  const links = new RecordedLinks();
  const skill = buildSkill(testConfig(), captureLogger(new CapturedLogs()), { accountApi, linkedAccounts: links });
  await skill.invoke(skillEvent('AlexaSkillEvent.SkillAccountLinked', 'lba_new-token'));
  await skill.invoke(skillEvent('AlexaSkillEvent.SkillDisabled', 'lba_old-token'));
  expect(links.calls).toEqual([`linked ${USER_ID} lba_new-token`, `disabled ${USER_ID} lba_old-token`]);
});

test('without links (relay custody) a skill event is logged, with the user id and never the token', async () => {
  const logs = new CapturedLogs();
  const skill = buildSkill(testConfig(), captureLogger(logs), { accountApi });
  const answer = await skill.invoke(skillEvent('AlexaSkillEvent.SkillDisabled', 'lba_old-token'));
  expect(answer.response).toEqual({});
  expect(logs.text).toContain(USER_ID);
  expect(logs.text).not.toContain('lba_old-token');
});
