import { ConfigError, loadConfig } from '../../../models/config';
import { BASE_TEST_ENV } from '../../support/test-app';

describe('ALEXA_VENDOR_IDS', () => {
  test('a vendor id typed in lower case stops the start, says ids are upper case and where to find one', () => {
    const load = () => loadConfig({ ...BASE_TEST_ENV, ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F,m2abc' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^ALEXA_VENDOR_IDS: "m2abc" has lower-case letters; vendor ids are upper case \(did you mean M2ABC\?\)/);
    expect(load).toThrow(/developer\.amazon\.com\/mycid\.html.*ask smapi get-vendor-list/);
  });

  test('upper-case ids are accepted', () => {
    expect(loadConfig({ ...BASE_TEST_ENV, ALEXA_VENDOR_IDS: 'M3BVP74N95SP1F' }).alexa.redirectUrls.has('https://layla.amazon.com/api/skill/link/M3BVP74N95SP1F')).toBe(true);
  });
});
