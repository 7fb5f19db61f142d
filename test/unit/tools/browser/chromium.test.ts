/**
 * The one rule for choosing Chromium, shared by `npm run simulate -- --browser` (a window) and the browser
 * tests (headless), with the file system and the packaged browser replaced.
 */
import { chooseChromium, launchChromium, SYSTEM_CHROMIUM } from '../../../../tools/browser/chromium';

const nothingInstalled = { isExecutable: () => false, packagedChromium: async () => '/tmp/chromium-from-npm' };

test.each([false, true])('CHROMIUM_PATH wins (a window: %s)', async (visible) => {
  const choice = await chooseChromium({ ...nothingInstalled, visible, env: { CHROMIUM_PATH: ' /opt/my/chromium ' } });
  expect(choice).toMatchObject({ executablePath: '/opt/my/chromium', source: 'CHROMIUM_PATH' });
  expect(choice.args.includes('--headless')).toBe(!visible);
});

test.each([false, true])('then Debian\'s /usr/bin/chromium (a window: %s)', async (visible) => {
  const choice = await chooseChromium({ ...nothingInstalled, visible, env: {}, isExecutable: (path) => path === SYSTEM_CHROMIUM });
  expect(choice).toMatchObject({ executablePath: SYSTEM_CHROMIUM, source: SYSTEM_CHROMIUM });
});

test('then, headless, the Chromium npm installs; for a window, Google Chrome (the packaged build has none)', async () => {
  expect(await chooseChromium({ ...nothingInstalled, env: {} })).toMatchObject({ executablePath: '/tmp/chromium-from-npm', source: '@sparticuz/chromium' });
  const visible = await chooseChromium({ ...nothingInstalled, env: {}, visible: true });
  expect(visible).toMatchObject({ channel: 'chrome', source: 'Google Chrome' });
  expect(visible.executablePath).toBeUndefined();
});

test('a Chromium that cannot start is named, with the way to choose another', async () => {
  await expect(launchChromium({ ...nothingInstalled, visible: true, env: { CHROMIUM_PATH: '/nonexistent/chromium' } })).rejects.toThrow(
    /^Chromium did not start from \/nonexistent\/chromium \(chosen by CHROMIUM_PATH\): .+\. Set CHROMIUM_PATH to a working Chromium, or unset it to use \/usr\/bin\/chromium \(apt-get install chromium\) or an installed Google Chrome\.$/,
  );
});
