// Notices a reader wants the report itself to show (a recognized date format, values read as
// missing), kept in the Arrow field's metadata: they then travel with the table, through the
// parsed-table cache too, so a build that takes the table from the cache shows them as well.
import { Field, type Table } from "apache-arrow";

const NOTICE_KEY = "connect-s3-report:notices";

/** A field carrying these notices (besides any it carries already). */
export function withNotices(field: Field, notices: readonly string[]): Field {
  if (notices.length === 0) return field;
  const metadata = new Map(field.metadata);
  metadata.set(NOTICE_KEY, JSON.stringify([...fieldNotices(field), ...notices]));
  return new Field(field.name, field.type, field.nullable, metadata);
}

function fieldNotices(field: Field): string[] {
  const text = field.metadata.get(NOTICE_KEY);
  if (text === undefined) return [];
  const parsed: unknown = JSON.parse(text);
  return Array.isArray(parsed) ? parsed.filter((n): n is string => typeof n === "string") : [];
}

/** Every notice the table's fields carry, in column order. */
export function tableNotices(table: Table): string[] {
  return table.schema.fields.flatMap(fieldNotices);
}
