// The import's rejects file is opened in spreadsheets: a cell from the imported file must never run
// there as a formula (OWASP "CSV injection"), and a corrected rejects file still imports as is.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { csvCell, readLeadsCsv, writeRejects } from '../../src/cli/import';

describe('CSV rejects file', () => {
  it('neutralises cells starting with = + - @, tab or CR, and quotes them properly', () => {
    expect(csvCell('=HYPERLINK("https://evil.example","x")')).toBe(`"'=HYPERLINK(""https://evil.example"",""x"")"`);
    expect(csvCell('+81 3 1234')).toBe(`"'+81 3 1234"`);
    expect(csvCell('-2+3')).toBe(`"'-2+3"`);
    expect(csvCell('@SUM(A1)')).toBe(`"'@SUM(A1)"`);
    expect(csvCell('\tcmd')).toBe(`"'\tcmd"`);
    expect(csvCell('\r=1')).toBe(`"'\r=1"`);
    expect(csvCell('  =1+1')).toBe(`"'  =1+1"`);
    expect(csvCell('plain, text')).toBe('"plain, text"');
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('writes formula-like values of rejected rows as text, and reads them back unchanged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'leadloop-rejects-'));
    const file = join(dir, 'leads.csv');
    writeFileSync(file, ['email,name,=evil', '"=cmd|"" /C calc""!A0",@SUM(1+1),+1', 'bad-email,"-2+3","\tx"'].join('\n'));
    const { header, rows } = readLeadsCsv(file, 'c');
    expect(rows.every((r) => r.error)).toBe(true);
    const rejects = join(dir, 'leads.csv.rejects.csv');
    writeRejects(rejects, header, rows, false);
    const cells = parse(readFileSync(rejects, 'utf8'), { relax_column_count: true }) as string[][];
    expect(cells[0]).toEqual(["email", 'name', "'=evil", 'line', 'error']);
    expect(cells[1]!.slice(0, 3)).toEqual([`'=cmd|" /C calc"!A0`, "'@SUM(1+1)", "'+1"]);
    expect(cells[2]!.slice(0, 3)).toEqual(['bad-email', "'-2+3", "'\tx"]);
    const firstCells = cells.flat().filter((c) => /^[=+\-@\t\r]/.test(c));
    expect(firstCells).toEqual([]);
    // Imported again (after a fix), the quote the rejects file added is gone.
    writeFileSync(rejects, readFileSync(rejects, 'utf8').replace('bad-email', 'fixed@import.test'));
    const again = readLeadsCsv(rejects, 'c');
    expect(again.header[2]).toBe('=evil');
    expect(again.rows[1]!.input).toMatchObject({ email: 'fixed@import.test', name: '-2+3', attributes: { '=evil': '\tx'.trim() } });
  });
});
