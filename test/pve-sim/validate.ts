// PVE's parameter verification (pve-common JSONSchema.pm's check_prop /
// check_object / check_type) reproduced from its documented behaviour, with
// its exact messages, so a request the real API refuses is refused here the
// same way. Also checks handler results against the schema's `returns`.
import { checkNamedFormat } from './formats';
import type { JsonSchema } from './schema';

export type Errors = Record<string, string>;

function addError(errors: Errors, path: string, msg: string): void {
  const key = path || '_root';
  // PVE joins repeated errors with a literal backslash-n (single-quoted '\n').
  errors[key] = errors[key] ? `${errors[key]}\\n${msg}` : msg;
}

const isNumber = (v: string): boolean => /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(v);
const isInteger = (v: string): boolean => /^[+-]?\d+$/.test(v);
const truthy = (v: unknown): boolean => v === 1 || v === true || v === '1';

/** What Perl's ref() says of a decoded JSON value ('' for a plain scalar). */
function perlRef(v: unknown): string {
  if (Array.isArray(v)) return 'ARRAY';
  if (typeof v === 'boolean') return 'JSON::PP::Boolean';
  if (v !== null && typeof v === 'object') return 'HASH';
  return '';
}

function checkType(
  path: string,
  type: JsonSchema['type'],
  value: unknown,
  errors: Errors,
): boolean {
  if (!type) return true;
  if (Array.isArray(type)) {
    for (const t of type) if (checkType(path, t, value, {})) return true;
    addError(errors, path, `type check ('${type.join('|')}') failed`);
    return false;
  }
  if (type === 'any') return true;
  if (type === 'null') {
    if (value === null || value === undefined) return true;
    addError(errors, path, `type check ('null') failed - value is not null`);
    return false;
  }
  const ref = perlRef(value);
  if (type === 'array' || type === 'object') {
    if (ref !== (type === 'array' ? 'ARRAY' : 'HASH')) {
      addError(errors, path, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (ref) {
    if (type === 'boolean' && typeof value === 'boolean') return true;
    addError(errors, path, `type check ('${type}') failed - got ${ref}`);
    return false;
  }
  const s = String(value);
  const ok =
    type === 'boolean'
      ? s === '0' || s === '1'
      : type === 'integer'
        ? isInteger(s)
        : type === 'number'
          ? isNumber(s)
          : true;
  if (!ok) addError(errors, path, `type check ('${type}') failed - got '${s}'`);
  return ok;
}

/** PVE's parse_property_string followed by check_object (no additional keys). */
function checkPropertyString(format: Record<string, JsonSchema>, data: string): string | undefined {
  const res: Record<string, string> = {};
  let defaultKey: string | undefined;
  for (const part of data.split(',')) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/.exec(part);
    if (kv) {
      let k = kv[1]!;
      if (res[k] !== undefined) return `duplicate key in comma-separated list property: ${k}\n`;
      const alias = format[k]?.alias;
      if (alias) {
        // `virtio=MAC` means model=virtio, macaddr=MAC (keyAlias names the key that gets the name)
        const keyAlias = format[k]!.keyAlias as string | undefined;
        if (keyAlias) {
          if (res[keyAlias] !== undefined) return `key alias '${keyAlias}' is already defined\n`;
          res[keyAlias] = k;
        }
        k = alias;
        if (res[k] !== undefined) return `key '${k}' is already defined (via alias)\n`;
      }
      if (!format[k]) return `invalid key in comma-separated list property: ${k}\n`;
      res[k] = boolProp(format[k]!, kv[2]!);
    } else if (!part.includes('=')) {
      if (defaultKey) return `duplicate key in comma-separated list property: ${defaultKey}\n`;
      defaultKey = Object.keys(format).find((key) => truthy(format[key]!.default_key));
      if (!defaultKey) return 'value without key, but schema does not define a default key\n';
      if (res[defaultKey] !== undefined)
        return `duplicate key in comma-separated list property: ${defaultKey}\n`;
      res[defaultKey] = boolProp(format[defaultKey]!, part);
    } else {
      return 'missing key in comma-separated list property\n';
    }
  }
  const errors: Errors = {};
  checkObject('', format, res, 0, errors);
  const keys = Object.keys(errors);
  if (keys.length === 0) return undefined;
  return 'format error\n' + keys.map((k) => `${k}: ${errors[k]}\n`).join('');
}

function boolProp(schema: JsonSchema, v: string): string {
  if (schema.type !== 'boolean') return v;
  if (/^(1|on|yes|true)$/i.test(v)) return '1';
  if (/^(0|off|no|false)$/i.test(v)) return '0';
  return v;
}

function compilePattern(pattern: string): RegExp | undefined {
  try {
    // Perl's (?^:...) is a plain group with default flags in JS.
    return new RegExp(`^${pattern.replaceAll('(?^:', '(?:')}$`);
  } catch {
    return undefined; // a Perl-only construct: not checked (loose)
  }
}

export function checkProp(value: unknown, schema: JsonSchema, path: string, errors: Errors): void {
  if (schema.alias) return;
  if (value === undefined || value === null) {
    if (schema.type === 'null') return;
    if (!truthy(schema.optional) && !schema.group) {
      addError(errors, path, 'property is missing and it is not optional');
    }
    return;
  }
  if (!checkType(path, schema.type, value, errors)) return;
  if (Array.isArray(value)) {
    if (schema.items)
      value.forEach((el, i) => checkProp(el, schema.items!, `${path}[${i}]`, errors));
    return;
  }
  if (typeof value === 'object') {
    if (schema.properties || schema.additionalProperties) {
      checkObject(
        path,
        schema.properties ?? {},
        value as Record<string, unknown>,
        schema.additionalProperties,
        errors,
      );
    }
    return;
  }
  const s = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  if (schema.format) {
    const err =
      typeof schema.format === 'string'
        ? checkNamedFormat(schema.format, s)
        : checkPropertyString(schema.format, s);
    if (err) return addError(errors, path, `invalid format - ${err}`);
  }
  if (schema.pattern) {
    const rx = compilePattern(schema.pattern);
    if (rx && !rx.test(s)) return addError(errors, path, 'value does not match the regex pattern');
  }
  if (schema.maxLength !== undefined && s.length > schema.maxLength) {
    return addError(errors, path, `value may only be ${schema.maxLength} characters long`);
  }
  if (schema.minLength !== undefined && s.length < schema.minLength) {
    return addError(errors, path, `value must be at least ${schema.minLength} characters long`);
  }
  if (isNumber(s)) {
    if (schema.maximum !== undefined && Number(s) > schema.maximum) {
      return addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
    }
    if (schema.minimum !== undefined && Number(s) < schema.minimum) {
      return addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
    }
  }
  if (schema.enum && !schema.enum.some((e) => String(e) === s)) {
    addError(
      errors,
      path,
      `value '${s}' does not have a value in the enumeration '${schema.enum.join(', ')}'`,
    );
  }
}

export function checkObject(
  path: string,
  properties: Record<string, JsonSchema>,
  value: Record<string, unknown>,
  additional: JsonSchema['additionalProperties'],
  errors: Errors,
): void {
  properties = withIndexed(properties, value);
  for (const [k, sub] of Object.entries(properties)) {
    if (sub.alias && value[k] !== undefined) {
      if (value[sub.alias] !== undefined) {
        addError(
          errors,
          path ? `${path}.${k}` : k,
          `cannot set both '${k}' and its alias target '${sub.alias}'`,
        );
      } else {
        value[sub.alias] = value[k];
        delete value[k];
      }
    }
  }
  for (const [k, sub] of Object.entries(properties))
    checkProp(value[k], sub, path ? `${path}.${k}` : k, errors);
  for (const k of Object.keys(value)) {
    const sub = properties[k];
    const newPath = path ? `${path}.${k}` : k;
    if (sub) {
      const requires = sub.requires;
      if (typeof requires === 'string' && value[requires] === undefined) {
        addError(
          errors,
          path ? `${path}.${requires}` : requires,
          `missing property required by '${newPath}'`,
        );
      }
      continue;
    }
    if (additional !== undefined && !truthy(additional) && typeof additional !== 'object') {
      addError(
        errors,
        newPath,
        'property is not defined in schema and the schema does not allow additional properties',
      );
      continue;
    }
    if (typeof additional === 'object' && additional !== null)
      checkProp(value[k], additional, newPath, errors);
  }
}

/**
 * apidata.js writes numbered options once, as `net[n]`, `scsi[n]`, `mp[n]`:
 * each `net0`, `net1`... of the value gets that schema. The highest index
 * PVE allows is not in the schema, so any index is accepted (loose).
 */
function withIndexed(
  properties: Record<string, JsonSchema>,
  value: Record<string, unknown>,
): Record<string, JsonSchema> {
  let out = properties;
  for (const k of Object.keys(value)) {
    if (properties[k]) continue;
    const m = /^(.*?)(\d+)$/.exec(k);
    const sub = m ? properties[`${m[1]}[n]`] : undefined;
    if (sub) {
      if (out === properties) out = { ...properties };
      out[k] = sub;
    }
  }
  return out;
}

/** Request parameters (path, query and body merged) against a method's `parameters`. */
export function validateParams(
  schema: JsonSchema,
  params: Record<string, unknown>,
): Errors | undefined {
  const errors: Errors = {};
  checkProp(params, { ...schema, type: 'object' }, '', errors);
  return Object.keys(errors).length ? errors : undefined;
}

export class ReturnsMismatch extends Error {}

/**
 * A handler's result against the method's `returns`. Stricter than the Perl
 * check where JSON types show our mistakes: integers must be JSON numbers.
 */
export function validateReturns(
  method: string,
  template: string,
  schema: JsonSchema,
  data: unknown,
): void {
  const errors: Errors = {};
  strictNumbers(data, schema, '', errors);
  checkProp(data, schema, '', errors);
  if (Object.keys(errors).length) {
    throw new ReturnsMismatch(
      `${method} ${template} returned data its schema does not allow: ${JSON.stringify(errors)}`,
    );
  }
}

function strictNumbers(data: unknown, schema: JsonSchema, path: string, errors: Errors): void {
  if (data === undefined || data === null) return;
  if ((schema.type === 'integer' || schema.type === 'number') && typeof data !== 'number') {
    addError(errors, path, `expected a JSON number, got ${JSON.stringify(data)}`);
  }
  if (Array.isArray(data) && schema.items)
    data.forEach((d, i) => strictNumbers(d, schema.items!, `${path}[${i}]`, errors));
  else if (typeof data === 'object' && schema.properties) {
    for (const [k, sub] of Object.entries(schema.properties)) {
      strictNumbers((data as Record<string, unknown>)[k], sub, path ? `${path}.${k}` : k, errors);
    }
  }
}
