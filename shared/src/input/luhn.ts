// Card numbers as a buyer types them: one check, used by the hosted page (gateway) before any
// GraphQL is built and by the sandbox PSP (simulators/psp-sandbox) before it makes a `pm_…` token.
// Neither ever quotes the number back.

/** The Luhn (mod 10) checksum over a string of ASCII digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * A card number's digits (spaces and dashes allowed between them), or null when the value is not
 * a string of 12 to 19 digits that passes the Luhn check.
 */
export function cardNumberDigits(value: unknown): string | null {
  const digits = typeof value === 'string' ? value.replace(/[\s-]/g, '') : '';
  return /^\d{12,19}$/.test(digits) && luhnValid(digits) ? digits : null;
}
