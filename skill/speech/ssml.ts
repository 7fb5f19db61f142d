const SSML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Characters XML 1.0 cannot carry (control characters, U+FFFE, U+FFFF, lone surrogates): one of them
 * in an account value would make the whole `<speak>` document ill-formed and Alexa would say nothing.
 * @see https://www.w3.org/TR/xml/#charsets
 */
const NOT_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** Longest `outputSpeech.ssml` Alexa accepts, in characters, `<speak>` tags included. */
export const MAX_SPEECH_CHARACTERS = 8000;
/**
 * Bytes of UTF-8 the speech may take: with a constant reprompt and a LinkAccount card the whole response
 * stays under Alexa's 24 kB even when every character of a long speech takes four bytes.
 */
export const MAX_SPEECH_BYTES = 20_000;
const SPEAK_TAGS = '<speak></speak>'.length;

/** Text with the characters XML cannot carry removed. */
export function xmlSafe(text: string): string {
  return text.replace(NOT_XML, '');
}

/**
 * Plain text made safe inside `<speak>`: the one path everything spoken goes through, so a name like
 * `Ada & <Lovelace>` (or one holding a control character) cannot break the SSML Alexa parses.
 * @see https://developer.amazon.com/docs/custom-skills/speech-synthesis-markup-language-ssml-reference.html
 */
export function ssml(text: string): string {
  return xmlSafe(text).replace(/[&<>"']/g, (char) => SSML_ESCAPES[char]);
}

/**
 * Escaped speech that fits Alexa's limits ({@link MAX_SPEECH_CHARACTERS} with the `<speak>` tags,
 * {@link MAX_SPEECH_BYTES}): whole sentences are kept while they fit, as a person reading aloud would stop
 * at the end of a sentence; a first sentence too long on its own is cut at a word.
 * @see https://developer.amazon.com/docs/custom-skills/request-and-response-json-reference.html#response-format
 */
export function fittedSsml(text: string): string {
  const whole = ssml(text);
  if (fits(whole)) return whole;
  let kept = '';
  for (const sentence of xmlSafe(text).split(/(?<=[.!?])\s+/)) {
    const next = kept ? `${kept} ${sentence}` : sentence;
    if (!fits(ssml(next))) break;
    kept = next;
  }
  if (kept) return ssml(kept);
  return ssml(cutAtWord(xmlSafe(text), MAX_SPEECH_CHARACTERS / 2, (candidate) => fits(ssml(candidate))));
}

function fits(escaped: string): boolean {
  return escaped.length + SPEAK_TAGS <= MAX_SPEECH_CHARACTERS && Buffer.byteLength(escaped) + SPEAK_TAGS <= MAX_SPEECH_BYTES;
}

/**
 * The longest start of `text` of at most `maxCharacters` code points (and accepted by `accept`) that
 * ends at a word: after a space, comma or semicolon when there is one in the second half, else at the
 * limit. Never splits a surrogate pair.
 */
export function cutAtWord(text: string, maxCharacters: number, accept: (candidate: string) => boolean = () => true): string {
  const codePoints = Array.from(text);
  let limit = Math.min(codePoints.length, maxCharacters);
  while (limit > 0) {
    const head = codePoints.slice(0, limit).join('');
    const candidate = limit === codePoints.length ? head : atWordEnd(head);
    if (accept(candidate)) return candidate;
    limit = Math.floor(limit * 0.9);
  }
  return '';
}

function atWordEnd(head: string): string {
  const boundary = Math.max(head.lastIndexOf(' '), head.lastIndexOf(','), head.lastIndexOf(';'));
  const cut = boundary >= head.length / 2 ? head.slice(0, boundary) : head;
  return cut.replace(/[\s,;:–-]+$/u, '');
}
