//! Reading uploaded tables (.xlsx or .csv) into rows of text cells, for every import.

use crate::error::{ApiError, ApiResult};

/// Reads a roster file (.xlsx or .csv) into rows of text cells.
pub fn read_table(bytes: &[u8], content_type: &str) -> ApiResult<Vec<Vec<String>>> {
    let is_xlsx = content_type.contains("spreadsheetml") || bytes.starts_with(b"PK\x03\x04");
    if is_xlsx {
        use calamine::{Reader, Xlsx};
        let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec()))
            .map_err(|e| ApiError::bad_request("unreadable_file", format!("not a readable .xlsx file: {e}")))?;
        let range = workbook
            .worksheet_range_at(0)
            .ok_or_else(|| ApiError::bad_request("unreadable_file", "the workbook has no sheet"))?
            .map_err(|e| ApiError::bad_request("unreadable_file", format!("the first sheet cannot be read: {e}")))?;
        Ok(range.rows().map(|cells| cells.iter().map(cell_text).collect()).collect())
    } else {
        let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes))
            .map_err(|_| ApiError::bad_request("unreadable_file", "a .csv roster is UTF-8 text"))?;
        Ok(parse_csv(text))
    }
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
    use super::parse_csv;

    #[test]
    fn csv_fields_may_be_quoted_and_hold_commas_quotes_and_line_breaks() {
        let rows =
            parse_csv("\u{59d3}\u{540d},身份证号\r\n\"阿苏·木呷\",\"530302198809213314\"\n\"李, \"\"娜\"\"\",1\n\n");
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[1], ["阿苏·木呷", "530302198809213314"]);
        assert_eq!(rows[2], ["李, \"娜\"", "1"]);
    }
}
