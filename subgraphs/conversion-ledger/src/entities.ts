// Every TypeORM entity of the conversion-ledger package (schema `ledger`).
import { ConversionEntity } from './conversion/conversion.entity.js';

export const entities: Function[] = [ConversionEntity];
