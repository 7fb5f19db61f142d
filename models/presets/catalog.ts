import type { UpstreamConfig } from '../config';
import type { ProfileOverrides } from '../provider-profile';
import { facebookPreset } from './facebook.preset';
import { githubPreset } from './github.preset';
import { oauth2Preset } from './oauth2.preset';
import { oidcPreset } from './oidc.preset';
import { slackPreset } from './slack.preset';
import { wechatOfficialPreset, wechatPreset } from './wechat.preset';
import { xPreset } from './x.preset';

/** Built-in presets by `UPSTREAM_PRESET` name. Plain data: the config loader checks the name against it. */
export const PRESETS = {
  oauth2: oauth2Preset,
  oidc: oidcPreset,
  github: githubPreset,
  wechat: wechatPreset,
  'wechat-official': wechatOfficialPreset,
  facebook: facebookPreset,
  slack: slackPreset,
  x: xPreset,
} as const satisfies Readonly<Record<string, ProfileOverrides>>;

/** A name `UPSTREAM_PRESET` accepts. */
export type PresetName = keyof typeof PRESETS;

export const PRESET_NAMES = Object.keys(PRESETS) as readonly PresetName[];

export function isPresetName(name: string): name is PresetName {
  return Object.hasOwn(PRESETS, name);
}

/** How to fix a configuration that would request no scope; the start, the doctor and `skill:package` say the same. */
export const NO_SCOPE_FIX =
  'set UPSTREAM_SCOPE to the scopes the account API needs, space separated (for an OpenID provider: openid profile email), and run npm run skill:package again so Alexa asks for the same';

/**
 * The profile as configured, before discovery: the preset, changed by the config file's
 * `upstream.profile`, then by the `UPSTREAM_*` variables.
 */
export function configuredProfile(upstream: UpstreamConfig): ProfileOverrides {
  return mergeProfiles(PRESETS[upstream.preset], upstream.profile ?? {}, fromEnvironment(upstream));
}

/** What the `UPSTREAM_*` variables change. */
function fromEnvironment(upstream: UpstreamConfig): ProfileOverrides {
  return {
    authorization: { url: upstream.authorizationUrl, pkce: upstream.pkce },
    token: { url: upstream.tokenUrl },
    refresh: upstream.refreshUrl === undefined ? undefined : { url: upstream.refreshUrl },
    // A configured scope replaces Alexa's, as it always has.
    scope: upstream.scope === undefined ? undefined : { value: upstream.scope, alexa: 'replace' },
  };
}

/** Deep merge of plain objects, later ones winning; arrays and `null` replace, `undefined` is skipped. */
export function mergeProfiles(...layers: ProfileOverrides[]): ProfileOverrides {
  return layers.reduce<Record<string, unknown>>((merged, layer) => mergeObjects(merged, layer as Record<string, unknown>), {}) as ProfileOverrides;
}

function mergeObjects(base: Record<string, unknown>, layer: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(layer)) {
    if (value === undefined) continue;
    const current = result[key];
    result[key] = isPlainObject(value) && isPlainObject(current) ? mergeObjects(current, value) : value;
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
