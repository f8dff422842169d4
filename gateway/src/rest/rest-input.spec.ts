import { describe, expect, it } from 'vitest';
import { seed002Field } from './checkout.js';
import { checkBody, restInputError, type ObjectShape } from './rest-input.js';

const LINE: ObjectShape = {
  kind: 'object',
  fields: { line_items: { kind: 'array', required: true, items: { kind: 'object', fields: { amount: { kind: 'integer' }, name: { kind: 'string' } } } } },
};

describe('REST input', () => {
  it('names the field in the route\'s terms for wrong types, unknown keys, Infinity and nested arrays', () => {
    expect(checkBody({ line_items: [{ amount: Infinity }] }, LINE)).toEqual({ field: 'line_items[0].amount', message: 'must be an integer, not a number out of range.' });
    expect(checkBody({ line_items: [{ price_data: {} }] }, LINE)).toEqual({
      field: 'line_items[0].price_data',
      message: 'is not a field of this request (known fields: amount, name).',
    });
    expect(checkBody({ line_items: [[1]] }, LINE)).toEqual({ field: 'line_items[0]', message: 'must be an object, not a list.' });
    expect(checkBody([], LINE)).toEqual({ field: 'body', message: 'must be an object, not a list.' });
    expect(checkBody({ line_items: [{ name: 'a\u0000b' }] }, LINE)?.message).toBe('must not contain the NUL character.');
    expect(checkBody({ line_items: [{ amount: 5, name: 'ok' }] }, LINE)).toBeUndefined();
  });

  it('renames a graph error into seed 002\'s names and never passes GraphQL wording through', () => {
    const coercion = {
      message: 'Variable "$input" got invalid value 1e+309 at "input.lineItems[0].unitAmount.amountMinor"; SafeInt cannot represent non-integer value: Infinity',
      extensions: { code: 'BAD_USER_INPUT' },
    };
    expect(restInputError(coercion, seed002Field)).toEqual({ field: 'line_items[0].amount', message: 'line_items[0].amount: must be an integer within range.' });
    const rule = { message: 'lineItems[1].unitAmount.currency: every line item must be in one currency (GBP, not EUR).', extensions: { code: 'BAD_USER_INPUT', field: 'lineItems[1].unitAmount.currency' } };
    expect(restInputError(rule, seed002Field).message).toBe('line_items[1].currency: every line item must be in one currency (GBP, not EUR).');
    expect(seed002Field('expiresInSeconds')).toBe('expires_in');
    expect(seed002Field('lineItems[0].unitAmount.amountMinor', { line_items: [{ unit_amount: 5 }] })).toBe('line_items[0].unit_amount');
    const unnamed = { message: 'Variable "$input" of required type "CreateCheckoutSessionInput!" was not provided.', extensions: { code: 'BAD_USER_INPUT' } };
    expect(restInputError(unnamed, seed002Field)).toEqual({ field: 'body', message: 'body: is not valid.' });
  });
});
