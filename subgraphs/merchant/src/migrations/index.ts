// The merchant schema's migrations, oldest first.
import { MerchantInitial1763700000000 } from './1763700000000-initial.js';

export const migrations: Function[] = [MerchantInitial1763700000000];
