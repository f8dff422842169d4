// The conversion-ledger package's migrations, oldest first.
import { CreateConversions1795293700000 } from './1795293700000-create-conversions.js';
import { LedgerBooks1795293800000 } from './1795293800000-ledger-books.js';
import { ConversionEventCursor1795293900000 } from './1795293900000-conversion-event-cursor.js';
import { RedeemedCodes1795294200000 } from './1795294200000-redeemed-codes.js';
import { ConversionEventLookup1795500500000 } from './1795500500000-conversion-event-lookup.js';
import { TenderLiabilities1795500950000 } from './1795500950000-tender-liabilities.js';
import { TenderRestorations1795501250000 } from './1795501250000-tender-restorations.js';
import { RecurringCommissions1795800200000 } from './1795800200000-recurring-commissions.js';
import { BiFacts1795900100000 } from './1795900100000-bi-facts.js';
import { LedgerOutboxJobKey1796000000000 } from './1796000000000-outbox-job-key.js';

export const migrations: Function[] = [CreateConversions1795293700000, LedgerBooks1795293800000, ConversionEventCursor1795293900000, RedeemedCodes1795294200000, ConversionEventLookup1795500500000, TenderLiabilities1795500950000, TenderRestorations1795501250000, RecurringCommissions1795800200000, BiFacts1795900100000, LedgerOutboxJobKey1796000000000];
