// Reading untrusted JSON field by field: every failure names the file and the field path
// (`classifier.neurons[3].weights`), so a damaged or hand-edited classifier says where it is wrong.
import { ArtifactError, type ArtifactErrorCode } from './errors';

const FIX = 'The file was edited or damaged: restore the classifier from a copy, or train it again.';

export type Json = Record<string, unknown>;

export class JsonCheck {
  constructor(
    readonly file: string,
    private readonly code: ArtifactErrorCode,
  ) {}

  fail(field: string, problem: string): never {
    throw new ArtifactError(this.code, this.file, `${field} ${problem}. ${FIX}`);
  }

  object(value: unknown, field: string): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(field, `is ${describe(value)}, expected an object`);
    return value as Json;
  }

  array(value: unknown, field: string): unknown[] {
    if (!Array.isArray(value)) this.fail(field, `is ${describe(value)}, expected a list`);
    return value;
  }

  string(value: unknown, field: string): string {
    if (typeof value !== 'string') this.fail(field, `is ${describe(value)}, expected a string`);
    return value;
  }

  finite(value: unknown, field: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, `is ${describe(value)}, expected a finite number`);
    return value;
  }

  integer(value: unknown, field: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      this.fail(field, `is ${describe(value)}, expected a whole number ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in ${min}..${max}`}`);
    }
    return value;
  }

  numbers(value: unknown, field: string, length: number, why: string): number[] {
    const list = this.array(value, field);
    if (list.length !== length) this.fail(field, `has ${list.length} values, expected ${length} (${why})`);
    return list.map((v, i) => this.finite(v, `${field}[${i}]`));
  }

  oneOf<T extends string | boolean>(value: unknown, field: string, allowed: readonly T[]): T {
    if (!allowed.includes(value as T)) this.fail(field, `is ${describe(value)}, expected ${allowed.map((a) => JSON.stringify(a)).join(' or ')}`);
    return value as T;
  }
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}
