const SSML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Plain text made safe inside `<speak>`: the one path everything spoken goes through, so a name like
 * `Ada & <Lovelace>` cannot break the SSML Alexa parses.
 * @see https://developer.amazon.com/docs/custom-skills/speech-synthesis-markup-language-ssml-reference.html
 */
export function ssml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => SSML_ESCAPES[char]);
}
