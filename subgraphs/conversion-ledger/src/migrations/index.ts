// The conversion-ledger package's migrations, oldest first.
import { CreateConversions1795293700000 } from './1795293700000-create-conversions.js';

export const migrations: Function[] = [CreateConversions1795293700000];
