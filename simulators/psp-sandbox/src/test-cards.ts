// The sandbox PSP's test cards (Stripe's numbers) and what each does: the package's public list
// (`@handoff/psp-sandbox/test-cards`, the one module of the sandbox Handoff imports, so it
// imports nothing of the sandbox itself). A number is used once, to make a `pm_…` token; only
// its brand, last 4 digits and behaviour are kept.
//
//   4242 4242 4242 4242  succeeds (REQUIRES_CAPTURE first with MANUAL capture)
//   4000 0000 0000 0002  declined: card_declined / generic_decline
//   4000 0000 0000 9995  declined: card_declined / insufficient_funds
//   4000 0027 6000 3184  needs 3-D Secure (REQUIRES_ACTION; approve or fail the challenge)
//   4000 0000 0000 0077  PROCESSING, then succeeds asynchronously (only the PSP's webhook
//                        moves the intent on), as a bank debit would. Stripe's "bypass pending"
//                        card, chosen here for the asynchronous path.
//   4000 0000 0000 0341  succeeds with the buyer there; declined (card_declined / generic_decline)
//                        off-session (`off_session: true`: a subscription's renewals), as
//                        Stripe's "decline after attaching" card does once saved: a checkout
//                        paid with it starts a subscription whose renewals fail (dunning).
// Any other number that passes the Luhn check behaves like 4242.
import { badUserInput, cardNumberDigits } from '@handoff/shared';

export type CardBehaviour = 'succeed' | 'decline_generic' | 'decline_insufficient_funds' | 'three_d_secure' | 'processing' | 'decline_off_session';

export const TEST_CARDS: Readonly<Record<string, CardBehaviour>> = {
  '4242424242424242': 'succeed',
  '4000000000000002': 'decline_generic',
  '4000000000009995': 'decline_insufficient_funds',
  '4000002760003184': 'three_d_secure',
  '4000000000000077': 'processing',
  '4000000000000341': 'decline_off_session',
};

/** What each card does, in the words of the hosted page's test-mode panel (one entry per behaviour, so none goes unexplained). */
export const CARD_OUTCOMES: Readonly<Record<CardBehaviour, string>> = {
  succeed: 'Succeeds',
  decline_generic: 'Declined (generic decline)',
  decline_insufficient_funds: 'Declined (insufficient funds)',
  three_d_secure: 'Asks for 3-D Secure (approve or fail it)',
  processing: 'Processing, then succeeds',
  decline_off_session: 'Succeeds; declined off-session (subscription renewals)',
};

export interface SandboxTestCard {
  number: string;
  behaviour: CardBehaviour;
  outcome: string;
}

/** TEST_CARDS as a list, in its order, for clients that show them (PaymentIntent.sandboxTestCards). */
export const SANDBOX_TEST_CARDS: readonly SandboxTestCard[] = Object.freeze(
  Object.entries(TEST_CARDS).map(([number, behaviour]) => Object.freeze({ number, behaviour, outcome: CARD_OUTCOMES[behaviour] })),
);

export interface DeclineSpec {
  code: string;
  declineCode: string;
  message: string;
}

export const DECLINES: Readonly<Partial<Record<CardBehaviour, DeclineSpec>>> = {
  decline_generic: { code: 'card_declined', declineCode: 'generic_decline', message: 'Your card was declined.' },
  decline_insufficient_funds: {
    code: 'card_declined',
    declineCode: 'insufficient_funds',
    message: 'Your card has insufficient funds.',
  },
};

export const THREE_D_SECURE_FAILED: DeclineSpec = {
  code: 'payment_intent_authentication_failure',
  declineCode: 'authentication_failed',
  message: 'The 3-D Secure authentication failed; try another card.',
};

export interface ParsedCard {
  brand: string;
  last4: string;
  behaviour: CardBehaviour;
}

/** Validates a card number (spaces and dashes allowed). Errors never quote the number. */
export function parseTestCard(input: string, field = 'paymentMethod.testCard'): ParsedCard {
  const digits = cardNumberDigits(input);
  if (digits === null) throw badUserInput(field, 'is not a valid card number.');
  return { brand: brandOf(digits), last4: digits.slice(-4), behaviour: TEST_CARDS[digits] ?? 'succeed' };
}

function brandOf(digits: string): string {
  if (digits.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  return 'unknown';
}
