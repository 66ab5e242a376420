/**
 * Parameters as data: every configurable stage declares its parameters once, as a table of
 * `ParamSpec`. The config schema, validation messages, defaults, `--print-config` and the docs
 * all come from these tables.
 */

/** Kinds of parameter values. */
export type ParamType = 'int' | 'number' | 'bool' | 'string' | 'cidr-list' | 'string-list';

/** One parameter of one section. */
export interface ParamSpec {
  /** Key in the YAML section, snake_case. */
  readonly name: string;
  readonly type: ParamType;
  readonly default: number | boolean | string | readonly string[];
  /** Inclusive bounds for int/number. */
  readonly min?: number;
  readonly max?: number;
  /** Allowed values for string. */
  readonly choices?: readonly string[];
  /** One line of help, shown in --print-config and the docs. */
  readonly help: string;
}

/** A named group of parameters, e.g. the `syn_flood` detector or `decide`. */
export interface SectionSpec {
  /** Dotted path of the section in the YAML file, e.g. "detectors.syn_flood". */
  readonly path: string;
  readonly help: string;
  readonly params: readonly ParamSpec[];
}

/** Validated values of one section, by parameter name. */
export type SectionValues = Readonly<Record<string, number | boolean | string | readonly string[]>>;
