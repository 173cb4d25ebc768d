//! Variable expressions used in settings and rate tables, and their evaluation on a zone or group.
//!
//! Grammar (spaces ignored): `alternative ( "|" alternative )*`, where an alternative is a
//! sum `a+b+c` or a ratio `a+b/c+d`. The first alternative whose every variable has a value wins:
//! `chom_1564/act_1564|de_abc/pop` reads census unemployment where it exists, job seekers elsewhere.
//!
//! On a group of zones (commune from its IRIS, EPCI, custom group), a ratio sums its numerator and
//! denominator over the members (a share is recomputed, never averaged); a plain sum is a *level
//! value* (a median, a percentage) and is read from the group's own row of the zone table when it
//! has one, never summed.

use fragnum_core::{Cell, ZoneTable};

use crate::IndicesError;

/// One alternative: a sum of variables, or a ratio of two sums.
#[derive(Debug, Clone, PartialEq)]
pub enum Term {
    /// `a+b+c`.
    Sum(Vec<String>),
    /// `a+b/c`.
    Ratio(Vec<String>, Vec<String>),
}

/// A parsed expression: alternatives tried in order.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    alternatives: Vec<Term>,
}

fn parse_sum(expression: &str, s: &str) -> Result<Vec<String>, IndicesError> {
    let names: Vec<String> = s.split('+').map(|v| v.trim().to_string()).collect();
    for n in &names {
        if n.is_empty() || !n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(IndicesError::Expression {
                expression: expression.to_string(),
                message: format!("`{n}` is not a variable name (letters, digits, `_`)"),
            });
        }
    }
    Ok(names)
}

impl Expr {
    /// Parses `text`.
    ///
    /// ```
    /// use fragnum_indices::expr::Expr;
    /// let e = Expr::parse("chom_1564/act_1564|de_abc/pop").unwrap();
    /// assert_eq!(e.variables(), vec!["chom_1564", "act_1564", "de_abc", "pop"]);
    /// assert!(Expr::parse("a//b").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Expr, IndicesError> {
        let mut alternatives = Vec::new();
        for alt in text.split('|') {
            let parts: Vec<&str> = alt.split('/').collect();
            let term = match parts.as_slice() {
                [sum] => Term::Sum(parse_sum(text, sum)?),
                [num, den] => Term::Ratio(parse_sum(text, num)?, parse_sum(text, den)?),
                _ => {
                    return Err(IndicesError::Expression {
                        expression: text.to_string(),
                        message: "at most one `/` per alternative".into(),
                    });
                }
            };
            alternatives.push(term);
        }
        Ok(Expr { alternatives })
    }

    /// The alternatives, in order.
    pub fn alternatives(&self) -> &[Term] {
        &self.alternatives
    }

    /// Every variable named, in order of appearance, without repeats.
    pub fn variables(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.alternatives {
            let names: Vec<&String> = match t {
                Term::Sum(s) => s.iter().collect(),
                Term::Ratio(n, d) => n.iter().chain(d.iter()).collect(),
            };
            for n in names {
                if !out.contains(&n.as_str()) {
                    out.push(n);
                }
            }
        }
        out
    }
}

/// The earliest and latest vintage of the cells read for one output row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VintageSpan {
    /// Earliest vintage seen.
    pub min: Option<u16>,
    /// Latest vintage seen.
    pub max: Option<u16>,
}

impl VintageSpan {
    /// Records one vintage.
    pub fn add(&mut self, v: Option<u16>) {
        if let Some(v) = v {
            self.min = Some(self.min.map_or(v, |m| m.min(v)));
            self.max = Some(self.max.map_or(v, |m| m.max(v)));
        }
    }

    /// Merges another span.
    pub fn merge(&mut self, other: VintageSpan) {
        self.add(other.min);
        self.add(other.max);
    }

    /// `2016`, `2016-2020`, or `None` when nothing carried a vintage.
    pub fn label(&self) -> Option<String> {
        match (self.min, self.max) {
            (Some(a), Some(b)) if a == b => Some(a.to_string()),
            (Some(a), Some(b)) => Some(format!("{a}-{b}")),
            _ => None,
        }
    }
}

/// Where an expression is evaluated: one row of the table, or a group of member rows
/// (with the group's own row when the table has one).
#[derive(Debug, Clone, Copy)]
pub enum Source<'a> {
    /// One zone.
    Row(usize),
    /// A group of zones.
    Group {
        /// Member rows (base zones).
        members: &'a [usize],
        /// The group's own row in the table, if any.
        own: Option<usize>,
    },
}

/// Reads the zone table for expressions, keeping track of vintages.
pub struct Reader<'t> {
    table: &'t ZoneTable,
}

impl<'t> Reader<'t> {
    /// A reader on `table`.
    pub fn new(table: &'t ZoneTable) -> Self {
        Reader { table }
    }

    /// The table read.
    pub fn table(&self) -> &'t ZoneTable {
        self.table
    }

    /// The value of one variable at one row, with its vintage.
    pub fn cell(&self, row: usize, var: &str) -> (Cell, Option<u16>) {
        match self.table.variable(var) {
            Some(v) if row < v.values.len() => (v.values[row], v.vintages[row]),
            _ => (Cell::Missing, None),
        }
    }

    /// Sum of `vars` at `rows`; `None` unless every cell has a value.
    pub fn sum(&self, rows: &[usize], vars: &[String], span: &mut VintageSpan) -> Option<f64> {
        let mut total = 0.0;
        let mut local = VintageSpan::default();
        for &r in rows {
            for v in vars {
                let (cell, vintage) = self.cell(r, v);
                total += cell.value()?;
                local.add(vintage);
            }
        }
        span.merge(local);
        Some(total)
    }

    fn term(&self, term: &Term, source: Source<'_>, span: &mut VintageSpan) -> Option<f64> {
        match (term, source) {
            (Term::Sum(vars), Source::Row(r) | Source::Group { own: Some(r), .. }) => self.sum(&[r], vars, span),
            (Term::Sum(_), Source::Group { own: None, .. }) => None,
            (Term::Ratio(n, d), Source::Row(r)) => ratio(self.sum(&[r], n, span)?, self.sum(&[r], d, span)?),
            (Term::Ratio(n, d), Source::Group { members, own }) => {
                let mut local = VintageSpan::default();
                let summed = match (self.sum(members, n, &mut local), self.sum(members, d, &mut local)) {
                    (Some(a), Some(b)) if !members.is_empty() => ratio(a, b),
                    _ => None,
                };
                if summed.is_some() {
                    span.merge(local);
                    return summed;
                }
                let r = own?;
                ratio(self.sum(&[r], n, span)?, self.sum(&[r], d, span)?)
            }
        }
    }

    /// Evaluates `expr` at `source`: the first alternative with a value, and its index.
    pub fn eval(&self, expr: &Expr, source: Source<'_>, span: &mut VintageSpan) -> Option<(f64, usize)> {
        expr.alternatives.iter().enumerate().find_map(|(i, t)| {
            let mut local = VintageSpan::default();
            let v = self.term(t, source, &mut local)?;
            span.merge(local);
            Some((v, i))
        })
    }
}

fn ratio(num: f64, den: f64) -> Option<f64> {
    (den > 0.0).then(|| num / den)
}

#[cfg(test)]
mod tests {
    use fragnum_core::{Level, Zone, ZoneCode};

    use super::*;

    fn table() -> ZoneTable {
        let mut t = ZoneTable::new();
        for (code, chom, act, pop) in [("001000101", Some(10.0), Some(100.0), 200.0), ("001000102", None, None, 300.0)] {
            let r = t.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, code).unwrap()));
            t.set(r, "chom_1564", chom.into(), Some(2016));
            t.set(r, "act_1564", act.into(), Some(2016));
            t.set(r, "pop", Cell::Value(pop), Some(2018));
            t.set(r, "de_abc", Cell::Value(30.0), Some(2021));
        }
        let c = t.upsert_zone(Zone::new(ZoneCode::new(Level::Commune, "00100").unwrap()));
        t.set(c, "disp_med", Cell::Value(21_000.0), Some(2020));
        t
    }

    #[test]
    fn alternatives_fall_back_and_record_vintage() {
        let t = table();
        let r = Reader::new(&t);
        let e = Expr::parse("chom_1564/act_1564 | de_abc/pop").unwrap();
        let mut span = VintageSpan::default();
        assert_eq!(r.eval(&e, Source::Row(0), &mut span), Some((0.1, 0)));
        assert_eq!(span.label().as_deref(), Some("2016"));
        let mut span = VintageSpan::default();
        assert_eq!(r.eval(&e, Source::Row(1), &mut span), Some((0.1, 1)));
        assert_eq!(span.label().as_deref(), Some("2018-2021"));
    }

    #[test]
    fn groups_sum_ratios_and_read_level_values_from_own_row() {
        let t = table();
        let r = Reader::new(&t);
        let members = [0, 1];
        let g = Source::Group { members: &members, own: Some(2) };
        let mut span = VintageSpan::default();
        // de_abc / pop summed: 60 / 500.
        assert_eq!(r.eval(&Expr::parse("de_abc/pop").unwrap(), g, &mut span), Some((60.0 / 500.0, 0)));
        // A median is never summed.
        assert_eq!(r.eval(&Expr::parse("disp_med").unwrap(), g, &mut span), Some((21_000.0, 0)));
        let g = Source::Group { members: &members, own: None };
        assert_eq!(r.eval(&Expr::parse("pop").unwrap(), g, &mut span), None);
        // A member without the numerator makes the summed ratio missing, not smaller.
        assert_eq!(r.eval(&Expr::parse("chom_1564/act_1564").unwrap(), g, &mut span), None);
    }

    #[test]
    fn zero_denominator_is_missing_not_infinite() {
        let mut t = table();
        t.set(0, "act_1564", Cell::Value(0.0), Some(2017));
        let r = Reader::new(&t);
        let mut span = VintageSpan::default();
        assert_eq!(r.eval(&Expr::parse("chom_1564/act_1564").unwrap(), Source::Row(0), &mut span), None);
    }

    #[test]
    fn bad_expressions_are_refused() {
        assert!(Expr::parse("a/b/c").is_err());
        assert!(Expr::parse("a+").is_err());
        assert!(Expr::parse("pop 15p").is_err());
    }
}
