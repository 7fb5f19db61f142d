/**
 * A YAML parser for the tests that read the deployment files: the `yaml` package when the project
 * declares it, else js-yaml, which the test tools already bring (eslint's and jest's own configuration
 * readers). Both are maintained YAML 1.2 parsers; only the safe loading of plain data is used.
 */
type Parse = (text: string) => unknown;

function loadParser(): Parse {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- whichever YAML parser is installed
    const { parse } = require('yaml') as { parse: Parse };
    return parse;
  } catch {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- js-yaml 3 (safeLoad) or 4 (load, safe by default)
    const jsYaml = require('js-yaml') as { safeLoad?: Parse; load: Parse };
    return jsYaml.safeLoad ?? jsYaml.load;
  }
}

export const parseYaml: Parse = loadParser();
