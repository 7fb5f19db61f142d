import { cutAtWord } from './ssml';

/**
 * Profile values as a person would say them: a time zone as its place ("Europe/London" → "London"),
 * a locale as a language ("en-GB" → "British English"), a date as a date ("1815-12-10" → "10 December
 * 1815"), a website without its scheme. Anything the formatters do not recognise is spoken as it is.
 */
export interface ValueFormats {
  /** BCP 47 locale the skill speaks (the language names and dates are in it). */
  readonly locale: string;
  /** How a time zone's place is said ("London time"). */
  readonly timeZone: (place: string) => string;
}

/** Longest single value spoken, in characters; a profile field is a line, not a document. */
export const MAX_VALUE_CHARACTERS = 200;
/** Most items of a list value spoken. */
export const MAX_LIST_ITEMS = 10;

/** A value as it can be spoken, or `undefined` for empty values and nested objects. Long values are cut at a word. */
export function spokenValue(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const text = value.replace(/\s+/g, ' ').trim();
    return text ? cutAtWord(text, MAX_VALUE_CHARACTERS) || undefined : undefined;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (Array.isArray(value)) {
    const parts = value
      .slice(0, MAX_LIST_ITEMS)
      .map(spokenValue)
      .filter((part): part is string => part !== undefined);
    return parts.length > 0 ? cutAtWord(parts.join(', '), MAX_VALUE_CHARACTERS) : undefined;
  }
  return undefined;
}

/** Formatters for the OpenID Connect claims whose raw form no one says aloud. */
const NATURAL: Readonly<Record<string, (text: string, formats: ValueFormats) => string | undefined>> = {
  zoneinfo: timeZonePlace,
  locale: languageName,
  birthdate: spokenDate,
  website: (text) => text.replace(/^https?:\/\//i, '').replace(/\/$/, ''),
};

/** `spokenValue`, then the natural form for the claims that have one (`zoneinfo`, `locale`, `birthdate`, `website`). */
export function naturalValue(path: string, value: unknown, formats: ValueFormats): string | undefined {
  const text = spokenValue(value);
  if (text === undefined || typeof value !== 'string') return text;
  const format = NATURAL[path];
  return (format && format(text, formats)) || text;
}

/** An IANA time zone as its place: `America/New_York` → "New York time"; unknown zones are left alone. */
export function timeZonePlace(zone: string, formats: ValueFormats): string | undefined {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
  } catch {
    return undefined;
  }
  if (/^(Etc\/)?(UTC|GMT|UCT|Zulu|Universal)$/i.test(zone)) return 'UTC';
  const place = zone.split('/').pop()?.replace(/_/g, ' ');
  return place ? formats.timeZone(place) : undefined;
}

/** A BCP 47 locale as the language's name in the speaking locale: `en-GB` → "British English". */
export function languageName(tag: string, formats: ValueFormats): string | undefined {
  try {
    const name = new Intl.DisplayNames([formats.locale], { type: 'language', fallback: 'none' }).of(tag.replace(/_/g, '-'));
    // "Englisch (Vereinigtes Königreich)": brackets are not spoken; a comma reads the same way aloud.
    return name?.replace(/\s*\(([^)]*)\)/, ', $1');
  } catch {
    return undefined;
  }
}

/** Instants before this are no account's creation time (a number this small is a mistake, not 1970). */
const EARLIEST_ACCOUNT = Date.UTC(1990, 0, 1);

/**
 * A point in time as the day the locale says: an ISO 8601 date or date-time (`2011-01-25T18:44:36Z`), or
 * Unix seconds (`1296067476`); the day is the UTC day. Anything else, or a time before 1990 or unreadable,
 * is `undefined`, so the skill says it does not know rather than a wrong date.
 */
export function spokenInstant(value: unknown, formats: ValueFormats): string | undefined {
  let when: number;
  if (typeof value === 'number' && Number.isFinite(value)) when = value * 1000;
  else if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2}))?$/.test(value.trim())) when = Date.parse(value.trim());
  else if (typeof value === 'string' && /^\d{9,10}$/.test(value.trim())) when = Number(value.trim()) * 1000;
  else return undefined;
  if (!Number.isFinite(when) || when < EARLIEST_ACCOUNT) return undefined;
  return new Intl.DateTimeFormat(formats.locale, { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(when));
}

/** An OpenID Connect date (`YYYY-MM-DD`, `0000-MM-DD` when the year is withheld, or `YYYY`) as the locale says it. */
export function spokenDate(date: string, formats: ValueFormats): string | undefined {
  const match = /^(\d{4})(?:-(\d{2})-(\d{2}))?$/.exec(date);
  if (!match) return undefined;
  const [, year, month, day] = match;
  if (!month) return year === '0000' ? undefined : year;
  const when = new Date(Date.UTC(year === '0000' ? 2000 : Number(year), Number(month) - 1, Number(day)));
  if (when.getUTCMonth() !== Number(month) - 1) return undefined;
  const options: Intl.DateTimeFormatOptions = year === '0000' ? { month: 'long', day: 'numeric', timeZone: 'UTC' } : { dateStyle: 'long', timeZone: 'UTC' };
  if (year !== '0000') when.setUTCFullYear(Number(year));
  return new Intl.DateTimeFormat(formats.locale, options).format(when);
}
