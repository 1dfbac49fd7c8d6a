/** Markdown tables for the report and the record summaries: cells escaped, one row per line. */

/** A cell's text with its pipes escaped. */
export const mdCell = (v: unknown): string => String(v).replace(/\|/g, '\\|');

/** A Markdown table of `header` and `rows`. */
export function mdTable(header: readonly string[], rows: readonly (readonly unknown[])[]): string {
  return [
    `| ${header.map(mdCell).join(' | ')} |`,
    `|${header.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(mdCell).join(' | ')} |`),
  ].join('\n');
}
