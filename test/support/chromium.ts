/**
 * The browser tests' Chromium: headless, chosen by the same rule as `npm run simulate -- --browser`
 * (tools/browser/chromium.ts): `CHROMIUM_PATH`, else /usr/bin/chromium, else the one npm installs.
 */
export { ChromiumUnavailableError, chooseChromium, launchChromium, type ChromiumChoice } from '../../tools/browser/chromium';
