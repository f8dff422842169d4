// Schema names are interpolated into SQL (identifiers cannot be bind parameters), so they are
// checked against a plain-identifier pattern first.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertSchemaName(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new Error(`Invalid schema name: ${JSON.stringify(schema)}`);
  return schema;
}

/** `"schema".table` for a checked schema name and a constant table name. */
export function qualifiedTable(schema: string, table: string): string {
  return `"${assertSchemaName(schema)}".${table}`;
}
