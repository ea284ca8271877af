// Sections of README.md, for tests that keep the documentation true.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export const README = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');

/** The README text from the `## ` heading that starts with `title` up to the next `## ` heading. */
export function readmeSection(title: string): string {
  const start = README.indexOf(`\n## ${title}`);
  if (start < 0) throw new Error(`README.md has no "## ${title}" section`);
  const end = README.indexOf('\n## ', start + 4);
  return README.slice(start + 1, end < 0 ? undefined : end);
}
