//! Reading uploaded tables (.xlsx or .csv) into rows of text cells, for every import.
//!
//! An upload is someone else's file: a workbook is a zip whose parts may inflate a thousandfold,
//! and a sheet may declare (or hold) a cell at XFD1048576, which a dense reader would allocate
//! for. So every part's inflated size is measured (not taken from the header) before the workbook
//! is opened, the sheet's declared extent is checked, and its cells are streamed into a table no
//! larger than the import takes. Callers run this off the async workers.

use std::io::{Cursor, Read};

use crate::error::{ApiError, ApiResult};

/// The most columns any import reads.
pub const MAX_COLUMNS: usize = 64;
/// The most a single part of a workbook may inflate to (a 2,000-row sheet is well under 2 MB).
const MAX_PART_BYTES: u64 = 8 * 1024 * 1024;
/// The most all parts together may inflate to.
const MAX_WORKBOOK_BYTES: u64 = 32 * 1024 * 1024;
/// The most parts a workbook may hold (Excel writes about a dozen).
const MAX_PARTS: usize = 200;

/// An uploaded file: its bytes, still to be read (the caller is authorised first), and the
/// content type it was sent as.
pub struct Upload<F> {
    pub bytes: F,
    pub content_type: String,
}

impl<F: std::future::Future<Output = ApiResult<Vec<u8>>>> Upload<F> {
    /// Reads the file and its table off the async workers (see `read_table`).
    pub async fn table(self, max_rows: usize) -> ApiResult<Vec<Vec<String>>> {
        let bytes = self.bytes.await?;
        if bytes.is_empty() {
            return Err(ApiError::bad_request("empty_file", "send the file as the request body"));
        }
        let content_type = self.content_type;
        crate::blocking::off_workers(move || read_table(&bytes, &content_type, max_rows)).await
    }
}

fn too_large(detail: String) -> ApiError {
    ApiError::bad_request("file_too_large", detail)
}

fn unreadable(detail: impl Into<String>) -> ApiError {
    ApiError::bad_request("unreadable_file", detail)
}

/// Reads an uploaded table (.xlsx or .csv) into rows of text cells: at most `max_rows` rows
/// (the header row included) and `MAX_COLUMNS` columns, or a refusal naming the limit.
pub fn read_table(bytes: &[u8], content_type: &str, max_rows: usize) -> ApiResult<Vec<Vec<String>>> {
    let is_xlsx = content_type.contains("spreadsheetml") || bytes.starts_with(b"PK\x03\x04");
    if is_xlsx {
        read_workbook(bytes, max_rows)
    } else {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| unreadable("a .csv file is UTF-8 text"))?;
        let rows = parse_csv(text);
        check_extent(rows.len(), rows.iter().map(Vec::len).max().unwrap_or(0), max_rows)?;
        Ok(rows)
    }
}

fn check_extent(rows: usize, columns: usize, max_rows: usize) -> ApiResult<()> {
    if rows > max_rows || columns > MAX_COLUMNS {
        return Err(too_large(format!(
            "the sheet spans {rows} rows and {columns} columns; an import takes at most {max_rows} rows (with the header) and {MAX_COLUMNS} columns"
        )));
    }
    Ok(())
}

/// Inflates every part of the zip into nothing, counting: the header's sizes are the sender's word.
fn check_parts(bytes: &[u8]) -> ApiResult<()> {
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| unreadable(format!("not a readable .xlsx file: {e}")))?;
    if zip.len() > MAX_PARTS {
        return Err(too_large(format!("the workbook holds {} parts; at most {MAX_PARTS}", zip.len())));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|e| unreadable(format!("not a readable .xlsx file: {e}")))?;
        let name = part.name().map(|n| n.to_string()).unwrap_or_default();
        let inflated = std::io::copy(&mut part.take(MAX_PART_BYTES + 1), &mut std::io::sink())
            .map_err(|e| unreadable(format!("the part {name} cannot be read: {e}")))?;
        total += inflated;
        if inflated > MAX_PART_BYTES || total > MAX_WORKBOOK_BYTES {
            return Err(too_large(format!(
                "the workbook inflates beyond {} MB; an import takes a sheet of at most {} MB",
                MAX_WORKBOOK_BYTES >> 20,
                MAX_PART_BYTES >> 20
            )));
        }
    }
    Ok(())
}

fn read_workbook(bytes: &[u8], max_rows: usize) -> ApiResult<Vec<Vec<String>>> {
    use calamine::{Reader, Xlsx};
    check_parts(bytes)?;
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| unreadable(format!("not a readable .xlsx file: {e}")))?;
    let first = workbook.sheet_names().first().cloned().ok_or_else(|| unreadable("the workbook has no sheet"))?;
    let mut cells = workbook
        .worksheet_cells_reader(&first)
        .map_err(|e| unreadable(format!("the first sheet cannot be read: {e}")))?;
    let declared = cells.dimensions();
    check_extent(declared.end.0 as usize + 1, declared.end.1 as usize + 1, max_rows)?;
    let mut table: Vec<Vec<String>> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(|e| unreadable(format!("the first sheet cannot be read: {e}")))? {
        let value = calamine::Data::from(cell.get_value().clone());
        if matches!(value, calamine::Data::Empty) {
            continue;
        }
        let (row, column) = (cell.get_position().0 as usize, cell.get_position().1 as usize);
        check_extent(row + 1, column + 1, max_rows)?;
        if table.len() <= row {
            table.resize_with(row + 1, Vec::new);
        }
        let cells_of_row = &mut table[row];
        if cells_of_row.len() <= column {
            cells_of_row.resize(column + 1, String::new());
        }
        cells_of_row[column] = cell_text(&value);
    }
    // As a dense range would read it: from the first row and column that hold anything.
    let first_row = table.iter().position(|r| r.iter().any(|c| !c.is_empty())).unwrap_or(table.len());
    table.drain(..first_row);
    let first_column = table.iter().filter_map(|r| r.iter().position(|c| !c.is_empty())).min().unwrap_or(0);
    let width = table.iter().map(Vec::len).max().unwrap_or(0);
    for row in &mut table {
        row.drain(..first_column.min(row.len()));
        row.resize(width - first_column, String::new());
    }
    Ok(table)
}

fn cell_text(cell: &calamine::Data) -> String {
    use calamine::Data;
    match cell {
        Data::String(s) => s.trim().to_string(),
        // ID numbers typed as numbers lose nothing below 2^53, but a number is never a valid ID
        // (18 digits); keep what Excel shows.
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// A field of an exported CSV: quoted when it must be (RFC 4180), and text that a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@`, a tab or carriage return first: an organisation
/// named `=HYPERLINK(…)`) is written as text, behind an apostrophe (OWASP's CSV injection advice).
pub fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{text}") } else { text.to_string() };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and line breaks.
pub fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut field).trim().to_string()),
            (false, '\n') => {
                row.push(std::mem::take(&mut field).trim().to_string());
                rows.push(std::mem::take(&mut row));
            }
            (false, '\r') => {}
            (false, c) => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field.trim().to_string());
        rows.push(row);
    }
    rows.retain(|r| r.iter().any(|c| !c.is_empty()));
    rows
}

#[cfg(test)]
mod tests {
    use super::{parse_csv, read_table, MAX_COLUMNS};

    fn workbook(cells: &[(u32, u16, &str)]) -> Vec<u8> {
        let mut workbook = rust_xlsxwriter::Workbook::new();
        let sheet = workbook.add_worksheet();
        for (row, column, text) in cells {
            sheet.write_string(*row, *column, *text).unwrap();
        }
        workbook.save_to_buffer().unwrap()
    }

    #[test]
    fn exported_csv_fields_are_quoted_when_needed_and_never_formulas() {
        use super::csv_field;
        assert_eq!(csv_field("李娜"), "李娜");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(\"http://x\",\"点此\")"), "\"'=HYPERLINK(\"\"http://x\"\",\"\"点此\"\")\"");
        assert_eq!(csv_field("+86 138"), "'+86 138");
        assert_eq!(csv_field("-1"), "'-1");
        assert_eq!(csv_field("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_field("\t=1"), "'\t=1");
        assert_eq!(csv_field("\r=1"), "\"'\r=1\"");
    }

    #[test]
    fn a_sheet_is_read_from_its_first_filled_row_and_column() {
        let bytes = workbook(&[(1, 1, "姓名"), (1, 2, "身份证号"), (2, 1, "阿苏·木呷"), (3, 2, "1")]);
        let rows = read_table(&bytes, "", 10).unwrap();
        assert_eq!(rows, vec![vec!["姓名", "身份证号"], vec!["阿苏·木呷", ""], vec!["", "1"]]);
    }

    #[test]
    fn a_sheet_beyond_the_rows_or_columns_an_import_takes_is_refused() {
        let tall = workbook(&[(0, 0, "a"), (10, 0, "b")]);
        assert_eq!(read_table(&tall, "", 10).unwrap_err().code, "file_too_large");
        assert_eq!(read_table(&tall, "", 11).unwrap().len(), 11);
        let wide = workbook(&[(0, 0, "a"), (0, MAX_COLUMNS as u16, "b")]);
        assert_eq!(read_table(&wide, "", 10).unwrap_err().code, "file_too_large");
        let csv = "a\nb\nc\n";
        assert_eq!(read_table(csv.as_bytes(), "text/csv", 2).unwrap_err().code, "file_too_large");
    }

    #[test]
    fn csv_fields_may_be_quoted_and_hold_commas_quotes_and_line_breaks() {
        let rows =
            parse_csv("\u{59d3}\u{540d},身份证号\r\n\"阿苏·木呷\",\"530302198809213314\"\n\"李, \"\"娜\"\"\",1\n\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], ["阿苏·木呷", "530302198809213314"]);
        assert_eq!(rows[2], ["李, \"娜\"", "1"]);
    }
}

/// A cell of an exported sheet: text (always written as text, so nothing typed into the system
/// ever becomes a formula) or a number.
pub enum Cell {
    Text(String),
    Number(f64),
}

impl From<String> for Cell {
    fn from(text: String) -> Cell {
        Cell::Text(text)
    }
}

impl From<&str> for Cell {
    fn from(text: &str) -> Cell {
        Cell::Text(text.to_string())
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Cell {
        Cell::Number(n as f64)
    }
}

/// One sheet of an export: a bold title row, a bold header row, then the rows.
pub struct Sheet {
    pub name: String,
    pub title: String,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<Cell>>,
}

impl Sheet {
    pub fn new(name: &str, title: &str, headers: Vec<&'static str>, rows: Vec<Vec<Cell>>) -> Sheet {
        Sheet { name: name.to_string(), title: title.to_string(), headers, rows }
    }
}

/// Writes sheets into one workbook, each column as wide as its longest cell.
pub fn workbook(sheets: &[Sheet]) -> ApiResult<Vec<u8>> {
    use rust_xlsxwriter::{Format, Workbook};
    let failed = |e: rust_xlsxwriter::XlsxError| ApiError::internal(format!("workbook: {e}"));
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    for s in sheets {
        let sheet = book.add_worksheet();
        sheet.set_name(&s.name).map_err(failed)?;
        sheet.write_string_with_format(0, 0, &s.title, &bold).map_err(failed)?;
        let mut widths: Vec<usize> = s.headers.iter().map(|h| h.chars().count() * 2).collect();
        for (c, h) in s.headers.iter().enumerate() {
            sheet.write_string_with_format(1, c as u16, *h, &bold).map_err(failed)?;
        }
        for (i, row) in s.rows.iter().enumerate() {
            let r = i as u32 + 2;
            for (c, cell) in row.iter().enumerate() {
                let width = match cell {
                    Cell::Text(text) => {
                        sheet.write_string(r, c as u16, text).map_err(failed)?;
                        text.chars().map(|ch| if ch.is_ascii() { 1 } else { 2 }).sum()
                    }
                    Cell::Number(n) => {
                        sheet.write_number(r, c as u16, *n).map_err(failed)?;
                        n.to_string().len()
                    }
                };
                if let Some(w) = widths.get_mut(c) {
                    *w = (*w).max(width);
                }
            }
        }
        for (c, w) in widths.iter().enumerate() {
            sheet.set_column_width(c as u16, (*w).clamp(6, 60) as f64 + 1.0).map_err(failed)?;
        }
    }
    book.save_to_buffer().map_err(failed)
}
