// Tokenizing a card (seed 003 §6, POST /v1/checkout/payment-methods/tokenize): sandbox only. The
// card goes to the merchant's sandbox PSP (its vault) and only the `pm_…` token comes back;
// Handoff never stores nor logs the number (errors name the field, never the value), and a
// merchant at a live PSP is refused: live card data belongs in the PSP's own fields (Stripe.js).
import { badUserInput, cardNumberDigits, ErrorCode, HandoffError, type Principal } from '@handoff/shared';
import type { DataSource } from 'typeorm';
import type { Connectors } from '../psp/connectors.js';
import type { CredentialsSource } from '../psp/merchant-credentials.js';
import { PaymentProvider } from '../payment-intent/payment-intent.enums.js';
import { noPaymentConnector } from '../payment-intent/payment-intent.errors.js';
import { pspCall } from '../payment-intent/payment-intent.command-run.js';

export interface CardSpec {
  number: string;
  expMonth: number;
  expYear: number;
  cvc: string;
}

const ID = /^[A-Za-z0-9_-]{1,100}$/;

export class PaymentMethodService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly credentials: CredentialsSource,
    private readonly connectors: Connectors,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async tokenize(principal: Principal & { kind: 'MERCHANT' | 'ADMIN' }, merchantIdArg: string | null, card: CardSpec): Promise<string> {
    const merchantId = principal.kind === 'MERCHANT' ? principal.merchantId : merchantIdArg;
    if (!merchantId) throw badUserInput('merchantId', 'is required for an admin.');
    if (!ID.test(merchantId)) throw badUserInput('merchantId', 'must be an id of at most 100 letters, digits, dashes or underscores.');
    if (principal.kind === 'MERCHANT' && merchantIdArg && merchantIdArg !== merchantId) throw new HandoffError(ErrorCode.MERCHANT_NOT_FOUND, `Merchant ${merchantIdArg} was not found.`);
    const number = cardNumberDigits(card.number);
    if (!number) throw badUserInput('card.number', 'must be a card number of 12 to 19 digits that passes the Luhn check.');
    if (!Number.isInteger(card.expMonth) || card.expMonth < 1 || card.expMonth > 12) throw badUserInput('card.expMonth', 'must be 1 to 12.');
    const now = this.now();
    const year = now.getUTCFullYear();
    if (!Number.isInteger(card.expYear) || card.expYear < year || card.expYear > year + 20) throw badUserInput('card.expYear', `must be ${year} to ${year + 20}.`);
    if (card.expYear === year && card.expMonth < now.getUTCMonth() + 1) throw badUserInput('card.expMonth', 'the card has expired.');
    if (typeof card.cvc !== 'string' || !/^\d{3,4}$/.test(card.cvc)) throw badUserInput('card.cvc', 'must be 3 or 4 digits.');
    const credentials = await this.credentials.get(merchantId);
    if (!credentials) throw noPaymentConnector(merchantId);
    if (credentials.provider !== PaymentProvider.TEST) {
      throw new HandoffError(ErrorCode.FORBIDDEN, 'Tokenizing a card is for the sandbox (test mode) only: at a live processor, cards are taken by its own fields.', { reason: 'tokenize:sandbox_only' });
    }
    const connector = this.connectors.for(credentials);
    return pspCall(() => connector.tokenizeTestCard({ manager: this.dataSource.manager }, number));
  }
}
