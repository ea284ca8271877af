// Every config section is documented in one settings table (SETTINGS_PAGES): one row per key the section accepts,
// each default the real one, and the README's row for the section links to that table.
import { describe, expect, it } from 'vitest';
import { configSections, DEFAULT_CONFIG, docSection, parseLiteral, sectionKeys, SETTINGS_PAGES, settingsRows, type SettingsSection } from './support.ts';

/** Defaults that a table describes in words because they depend on more than the section; each is checked where named. */
const DESCRIBED: Partial<Record<SettingsSection, Record<string, string>>> = {
  magicLink: { provider: 'depends on the WorkOS keys: test/docs/magic-links.test.ts' },
};

describe('settings tables', () => {
  it('every config section but workos (described in the README row) has a settings table', () => {
    expect(Object.keys(SETTINGS_PAGES).sort()).toEqual(configSections().filter((s) => s !== 'workos').sort());
  });

  describe.each(Object.entries(SETTINGS_PAGES) as [SettingsSection, (typeof SETTINGS_PAGES)[SettingsSection]][])('%s', (section, page) => {
    const rows = settingsRows(section);

    it(`${page.file} "${page.heading}" has one row per key of the section`, () => {
      expect(rows.map((r) => r.key).sort()).toEqual(sectionKeys(section).sort());
    });

    it('each default is the real one', () => {
      const values = DEFAULT_CONFIG[section] as Readonly<Record<string, unknown>>;
      for (const row of rows) {
        if (row.literal !== undefined) expect(parseLiteral(row.literal), `${section}.${row.key}`).toEqual(values[row.key]);
        // A default in words is either an option without a value (its fallback is described) or listed in DESCRIBED.
        else if (!DESCRIBED[section]?.[row.key]) expect(values[row.key], `${section}.${row.key}: ${row.cell}`).toBeUndefined();
      }
    });

    it("the README's row links to it", () => {
      const row = docSection('README.md', 'Configuration').split('\n').find((l) => l.startsWith(`| \`${section}\` |`));
      expect(row, section).toBeDefined();
      expect(row).toContain(`](${page.file}#${page.anchor})`);
    });
  });
});
