//! A small text table for the human-readable side of the `eval` commands.
//!
//! ```
//! use cognate::eval::report::Table;
//! let mut t = Table::new(["pair", "n", "pearson"]);
//! t.row(["de-en", "119", "0.812"]);
//! t.row(["all", "1283", "0.790"]);
//! let s = t.to_string();
//! assert!(s.contains("de-en   119    0.812"));
//! ```

use std::fmt;

/// How a column's cells are aligned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

/// Aligned columns with a header and a rule under it. Columns whose every body cell
/// looks like a number (or is `-`) are right-aligned, the others left-aligned, unless
/// set with [`Table::align`]. Widths count characters, not bytes.
#[derive(Clone, Debug, Default)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
    align: Vec<Option<Align>>,
}

impl Table {
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Self {
        let header: Vec<String> = header.into_iter().map(Into::into).collect();
        let align = vec![None; header.len()];
        Table {
            header,
            rows: Vec::new(),
            align,
        }
    }

    /// Adds a row; missing cells are blank, extra cells widen the table.
    pub fn row<S: Into<String>>(&mut self, cells: impl IntoIterator<Item = S>) -> &mut Self {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }

    /// Forces the alignment of column `col`.
    pub fn align(&mut self, col: usize, align: Align) -> &mut Self {
        if self.align.len() <= col {
            self.align.resize(col + 1, None);
        }
        self.align[col] = Some(align);
        self
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0)
    }

    fn column_align(&self, col: usize) -> Align {
        if let Some(Some(a)) = self.align.get(col) {
            return *a;
        }
        let mut any = false;
        for r in &self.rows {
            let c = r.get(col).map(|s| s.trim()).unwrap_or("");
            if c.is_empty() || c == "-" {
                continue;
            }
            any = true;
            if !looks_numeric(c) {
                return Align::Left;
            }
        }
        if any { Align::Right } else { Align::Left }
    }
}

fn looks_numeric(s: &str) -> bool {
    let s = s.trim_end_matches('%').trim_end_matches('/').trim();
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    !s.is_empty()
        && s.chars().any(|c| c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '_' | 'e' | 'E' | '-' | '+'))
}

fn width(s: &str) -> usize {
    s.chars().count()
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ncol = self.columns();
        if ncol == 0 {
            return Ok(());
        }
        let cell = |r: &Vec<String>, c: usize| r.get(c).cloned().unwrap_or_default();
        let mut widths = vec![0; ncol];
        for r in std::iter::once(&self.header).chain(&self.rows) {
            for (c, w) in widths.iter_mut().enumerate() {
                *w = (*w).max(width(&cell(r, c)));
            }
        }
        let aligns: Vec<Align> = (0..ncol).map(|c| self.column_align(c)).collect();
        let line = |f: &mut fmt::Formatter<'_>, r: &Vec<String>| -> fmt::Result {
            let mut out = String::new();
            for c in 0..ncol {
                let s = cell(r, c);
                let pad = " ".repeat(widths[c] - width(&s));
                if c > 0 {
                    out.push_str("  ");
                }
                match aligns[c] {
                    Align::Left => {
                        out.push_str(&s);
                        out.push_str(&pad);
                    }
                    Align::Right => {
                        out.push_str(&pad);
                        out.push_str(&s);
                    }
                }
            }
            writeln!(f, "{}", out.trim_end())
        };
        line(f, &self.header)?;
        let total: usize = widths.iter().sum::<usize>() + 2 * (ncol - 1);
        writeln!(f, "{}", "-".repeat(total))?;
        for r in &self.rows {
            line(f, r)?;
        }
        Ok(())
    }
}

/// Formats a score with three decimals, `-` when undefined.
pub fn fmt_opt(v: Option<f64>) -> String {
    v.map_or_else(|| "-".to_string(), fmt3)
}

/// Formats a score with three decimals.
pub fn fmt3(v: f64) -> String {
    format!("{v:.3}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligns_text_left_numbers_right() {
        let mut t = Table::new(["language", "n", "acc"]);
        t.row(["German", "1000", "0.98"]);
        t.row(["Ελληνικά", "7", "-"]);
        let s = t.to_string();
        let lines: Vec<&str> = s.lines().collect();
        assert_eq!(lines[0], "language     n   acc");
        assert_eq!(lines[1], "--------------------");
        assert_eq!(lines[2], "German    1000  0.98");
        assert_eq!(lines[3], "Ελληνικά     7     -");
    }

    #[test]
    fn forced_alignment_and_ragged_rows() {
        let mut t = Table::new(["a"]);
        t.row(["1", "extra"]);
        t.align(0, Align::Left);
        let s = t.to_string();
        assert_eq!(s.lines().nth(2).unwrap(), "1  extra");
        assert_eq!(fmt_opt(None), "-");
        assert_eq!(fmt_opt(Some(0.81849)), "0.818");
    }
}
