// The buyer's contact details on a checkout session (seed 003 §2: email, phone, customer_id,
// save_for_later). Each refusal is BAD_USER_INPUT naming the field (`customer.email`, …).
import { badUserInput, forbidden } from '@handoff/shared';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** E.164 once spaces, dots, dashes and brackets are taken out: "+" then 7 to 15 digits. */
const E164 = /^\+[1-9][0-9]{6,14}$/;
export const CUSTOMER_ID = /^[A-Za-z0-9_.:@-]{1,100}$/;

export interface CustomerInputLike {
  email?: string | null;
  phone?: string | null;
  customerId?: string | null;
  saveForLater?: boolean | null;
}

/** The changes a customer input makes: a field left out keeps its value, a field given as null clears it. */
export interface CustomerChanges {
  customerEmail?: string | null;
  customerPhone?: string | null;
  customerId?: string | null;
  customerSaveForLater?: boolean;
}

export function validateCustomer(input: CustomerInputLike | null | undefined, opts: { mayNameCustomerId: boolean }): CustomerChanges {
  if (!input || typeof input !== 'object') throw badUserInput('customer', 'is required.');
  const out: CustomerChanges = {};
  if (input.email !== undefined) {
    if (input.email === null) out.customerEmail = null;
    else if (typeof input.email !== 'string' || input.email.trim().length > 254 || !EMAIL.test(input.email.trim())) {
      throw badUserInput('customer.email', 'must be an email address.');
    } else out.customerEmail = input.email.trim();
  }
  if (input.phone !== undefined) {
    if (input.phone === null) out.customerPhone = null;
    else {
      const phone = typeof input.phone === 'string' ? input.phone.replace(/[\s().-]/g, '') : '';
      if (!E164.test(phone)) throw badUserInput('customer.phone', 'must be a phone number in international format, e.g. "+44 20 7946 0018".');
      out.customerPhone = phone;
    }
  }
  if (input.customerId !== undefined) {
    if (!opts.mayNameCustomerId) throw forbidden('customer.customerId: only the merchant names its own customer; the checkout page may not.');
    if (input.customerId === null) out.customerId = null;
    else if (typeof input.customerId !== 'string' || !CUSTOMER_ID.test(input.customerId)) {
      throw badUserInput('customer.customerId', 'must be 1 to 100 letters, digits or _ . : @ -.');
    } else out.customerId = input.customerId;
  }
  if (input.saveForLater !== undefined && input.saveForLater !== null) out.customerSaveForLater = input.saveForLater === true;
  return out;
}
