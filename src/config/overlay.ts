import type { Config } from './config.js';
import type { SectionValues } from './params.js';

/**
 * A config with some values of some sections replaced (command-line flags, values computed at
 * start such as the machine's own addresses); the file's values stay for every other key.
 */
export function overlayConfig(base: Config, overrides: Readonly<Record<string, Readonly<Record<string, SectionValues[string]>>>>): Config {
  return {
    file: base.file,
    section(path: string): SectionValues {
      const values = base.section(path);
      const extra = overrides[path];
      return extra === undefined ? values : Object.freeze({ ...values, ...extra });
    },
  };
}
