//! Strata derived from the zone table before the estimators run.
//!
//! - **Income bands.** Surveys publish rates by national quintile (or decile) of *niveau de vie*;
//!   Filosofi gives each zone the deciles D1…D9 of its own distribution. The zone's share of
//!   people in each national band is read off its distribution function, taken as piecewise
//!   linear through (10 %, D1) … (90 %, D9) and extended linearly beyond D1 and D9 by the slope of
//!   the neighbouring decile interval (floored at zero income). The shares are written as
//!   proportions `income_q1…` (summing to one), a *share dimension* that the estimators scale to
//!   each zone's survey universe (people 15+ assumed spread over the bands like all persons).
//!   An IRIS without deciles that is a whole commune (code `XXXXX0000`) takes its commune's.
//! - **Linear combinations** (`[indices.derived]`): a count the survey group needs and the census
//!   does not give directly — a total minus a part (`nscol15p - nscol15p_diplmin`: people 15+ out of
//!   school with more than a low diploma), or a share of a census band (`0.2 * pop_0014`: ages 12–14,
//!   for CREDOC's 12+ universe). Terms are `[coefficient *] variable`, joined by `+` or `-`; a zone
//!   missing any variable gets no value (never a zero), and a result below zero beyond rounding is
//!   left missing and counted in a note.

use fragnum_core::{Cell, Level, ZoneCode, ZoneTable};

use crate::IndicesError;
use crate::settings::IncomeBands;

/// Share of a distribution below `x`, the distribution being given by its 9 deciles.
///
/// ```
/// use fragnum_indices::derived::share_below;
/// let d = [10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0];
/// assert!((share_below(&d, 35.0) - 0.35).abs() < 1e-12);
/// assert!((share_below(&d, 5.0) - 0.05).abs() < 1e-12);
/// assert_eq!(share_below(&d, 1e9), 1.0);
/// ```
pub fn share_below(deciles: &[f64; 9], x: f64) -> f64 {
    if x <= deciles[0] {
        let slope = (deciles[1] - deciles[0]).max(f64::EPSILON) / 0.1;
        let p = 0.1 - (deciles[0] - x) / slope;
        return p.max(0.0);
    }
    if x >= deciles[8] {
        let slope = (deciles[8] - deciles[7]).max(f64::EPSILON) / 0.1;
        return (0.9 + (x - deciles[8]) / slope).min(1.0);
    }
    let k = deciles.iter().rposition(|d| *d <= x).unwrap_or(0);
    let (a, b) = (deciles[k], deciles[k + 1]);
    let within = if b > a { (x - a) / (b - a) } else { 0.5 };
    0.1 * (k as f64 + 1.0) + 0.1 * within
}

/// The zone's shares in the bands cut at `limits` (ascending): `limits.len() + 1` proportions.
pub fn band_shares(deciles: &[f64; 9], limits: &[f64]) -> Vec<f64> {
    let mut below: Vec<f64> = limits.iter().map(|l| share_below(deciles, *l)).collect();
    below.insert(0, 0.0);
    below.push(1.0);
    below.windows(2).map(|w| (w[1] - w[0]).max(0.0)).collect()
}

fn deciles_at(table: &ZoneTable, row: usize, names: &[String]) -> Option<([f64; 9], Option<u16>)> {
    let mut d = [0.0; 9];
    let mut vintage = None;
    for (k, name) in names.iter().enumerate() {
        let v = table.variable(name)?;
        d[k] = v.values.get(row).copied().and_then(Cell::value)?;
        vintage = vintage.max(v.vintages[row]);
    }
    // Deciles must be finite and ascending; anything else is not a distribution.
    (d.iter().all(|x| x.is_finite()) && d.windows(2).all(|w| w[0] <= w[1])).then_some((d, vintage))
}

/// One parsed linear combination: `(coefficient, variable)` terms.
#[derive(Debug, Clone, PartialEq)]
pub struct Linear {
    /// The terms.
    pub terms: Vec<(f64, String)>,
}

impl Linear {
    /// Parses `a - b`, `0.2 * pop_0014`, `x + 0.5*y`.
    ///
    /// ```
    /// use fragnum_indices::derived::Linear;
    /// let l = Linear::parse("nscol15p - 0.5 * nscol15p_diplmin").unwrap();
    /// assert_eq!(l.terms, vec![(1.0, "nscol15p".to_string()), (-0.5, "nscol15p_diplmin".to_string())]);
    /// assert!(Linear::parse("a * b").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Linear, IndicesError> {
        let bad = |message: String| IndicesError::Expression { expression: text.to_string(), message };
        let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        // Cut before each sign that is not the first character.
        let mut pieces = Vec::new();
        let mut start = 0;
        for (i, c) in compact.char_indices() {
            if i > 0 && (c == '+' || c == '-') {
                pieces.push(&compact[start..i]);
                start = i;
            }
        }
        pieces.push(&compact[start..]);
        let mut terms = Vec::new();
        for piece in pieces.into_iter().filter(|p| !p.is_empty()) {
            let (sign, body) = match piece.as_bytes()[0] {
                b'-' => (-1.0, &piece[1..]),
                b'+' => (1.0, &piece[1..]),
                _ => (1.0, piece),
            };
            let (coefficient, name) = match body.split_once('*') {
                Some((c, n)) => (c.parse::<f64>().map_err(|_| bad(format!("`{c}` is not a number")))?, n),
                None => (1.0, body),
            };
            if name.is_empty()
                || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                || name.chars().all(|c| c.is_ascii_digit() || c == '.')
            {
                return Err(bad(format!("`{name}` is not a variable name")));
            }
            if !coefficient.is_finite() {
                return Err(bad(format!("coefficient {coefficient} is not finite")));
            }
            terms.push((sign * coefficient, name.to_string()));
        }
        if terms.is_empty() {
            return Err(bad("empty".into()));
        }
        Ok(Linear { terms })
    }
}

/// Adds the derived variables to a copy of `table`; notes say what was derived and skipped.
pub fn extend(
    table: &ZoneTable,
    income: &IncomeBands,
    derived: &std::collections::BTreeMap<String, String>,
    notes: &mut Vec<String>,
) -> Result<ZoneTable, IndicesError> {
    let mut out = table.clone();
    if income.enabled {
        add_income_bands(table, &mut out, income, notes)?;
    }
    for (name, text) in derived {
        let linear = Linear::parse(text)?;
        if let Some((_, used)) = linear.terms.iter().find(|(_, v)| derived.contains_key(v)) {
            return Err(IndicesError::settings(
                format!("derived.{name}"),
                format!("uses `{used}`, itself derived: write it with census variables only"),
            ));
        }
        let Some(vars) = linear.terms.iter().map(|(c, v)| table.variable(v).map(|x| (*c, x))).collect::<Option<Vec<_>>>() else { continue };
        let mut negative = 0usize;
        for row in 0..table.len() {
            let mut value = 0.0;
            let mut scale = 0.0_f64;
            let mut vintage = None;
            let mut complete = true;
            for (c, v) in &vars {
                let Some(x) = v.values[row].value() else {
                    complete = false;
                    break;
                };
                value += c * x;
                scale = scale.max((c * x).abs());
                vintage = vintage.max(v.vintages[row]);
            }
            if !complete {
                continue;
            }
            // INSEE counts are weighted estimates: a part may exceed its total by rounding only.
            if value < -1e-6 * scale.max(1.0) {
                negative += 1;
                continue;
            }
            out.set(row, name, Cell::Value(value.max(0.0)), vintage);
        }
        if negative > 0 {
            notes.push(format!("derived `{name}` = {text}: {negative} zone(s) where it would be negative are left missing"));
        }
    }
    Ok(out)
}

fn add_income_bands(table: &ZoneTable, out: &mut ZoneTable, income: &IncomeBands, notes: &mut Vec<String>) -> Result<(), IndicesError> {
    if income.deciles.len() != 9 {
        return Err(IndicesError::settings("income.deciles", format!("needs the 9 deciles D1…D9, {} given", income.deciles.len())));
    }
    if income.limits.is_empty()
        || !income.limits.windows(2).all(|w| w[0] < w[1])
        || income.limits.iter().any(|l| !(l.is_finite() && *l > 0.0))
    {
        return Err(IndicesError::settings("income.limits", "must be positive, finite and strictly ascending"));
    }
    let (mut own, mut from_commune, mut unordered) = (0usize, 0usize, 0usize);
    for (row, zone) in table.zones().iter().enumerate() {
        let mut found = deciles_at(table, row, &income.deciles);
        if found.is_none() && income.deciles.iter().all(|n| table.variable(n).and_then(|v| v.values[row].value()).is_some()) {
            unordered += 1;
        }
        if found.is_some() {
            own += 1;
        } else if zone.code.level() == Level::Iris && zone.code.as_str().ends_with("0000") {
            let commune = zone.code.commune().and_then(|c| ZoneCode::new(Level::Commune, c).ok()).and_then(|c| table.row(&c).ok());
            found = commune.and_then(|r| deciles_at(table, r, &income.deciles));
            from_commune += usize::from(found.is_some());
        }
        if let Some((d, vintage)) = found {
            for (k, share) in band_shares(&d, &income.limits).into_iter().enumerate() {
                out.set(row, &format!("{}{}", income.prefix, k + 1), Cell::Value(share), vintage);
            }
        }
    }
    notes.push(format!(
        "income bands ({} national limits, {}): {own} zones from their own deciles, {from_commune} whole-commune IRIS from their commune's",
        income.limits.len(),
        income.source
    ));
    if unordered > 0 {
        notes.push(format!("income bands: {unordered} zone(s) have deciles that are not ascending; no income band for them"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use fragnum_core::Zone;

    use super::*;

    #[test]
    fn band_shares_sum_to_one_and_follow_the_deciles() {
        let d = [9_000.0, 12_000.0, 14_000.0, 16_000.0, 18_000.0, 20_000.0, 23_000.0, 27_000.0, 34_000.0];
        let s = band_shares(&d, &[14_500.0, 19_400.0, 24_800.0, 32_600.0]);
        assert_eq!(s.len(), 5);
        assert!((s.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        // 14,500 is a quarter of the way from D3 to D4: 32.5 % below it.
        assert!((s[0] - 0.325).abs() < 1e-12);
        assert!(s.iter().all(|x| *x >= 0.0));
    }

    #[test]
    fn extend_derives_bands_and_differences_and_whole_communes_borrow_their_commune() {
        let mut t = ZoneTable::new();
        let iris = t.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, "001000101").unwrap()));
        let whole = t.upsert_zone(Zone::new(ZoneCode::new(Level::Iris, "002000000").unwrap()));
        let commune = t.upsert_zone(Zone::new(ZoneCode::new(Level::Commune, "00200").unwrap()));
        let names: Vec<String> = (1..=9).map(|k| format!("disp_d{k}")).collect();
        for (row, base) in [(iris, 10_000.0), (commune, 20_000.0)] {
            for (k, n) in names.iter().enumerate() {
                t.set(row, n, Cell::Value(base + 1_000.0 * k as f64), Some(2019));
            }
        }
        t.set(iris, "nscol15p", Cell::Value(100.0), Some(2016));
        t.set(iris, "nscol15p_diplmin", Cell::Value(30.0), Some(2016));
        t.set(whole, "nscol15p", Cell::Value(10.0), Some(2016));
        t.set(whole, "nscol15p_diplmin", Cell::Value(30.0), Some(2016));
        let income = IncomeBands {
            enabled: true,
            deciles: names,
            limits: vec![15_000.0, 25_000.0],
            prefix: "income_q".into(),
            source: "test".into(),
        };
        let derived = [("nscol15p_not_low".to_string(), "nscol15p - nscol15p_diplmin".to_string())].into_iter().collect();
        let mut notes = Vec::new();
        let out = extend(&t, &income, &derived, &mut notes).unwrap();
        let get = |row: usize, v: &str| out.variable(v).and_then(|x| x.values[row].value());
        assert!((get(iris, "income_q1").unwrap() - 0.6).abs() < 1e-12);
        assert!((get(whole, "income_q1").unwrap() - 0.0).abs() < 1e-12, "whole commune takes its commune's deciles");
        assert!((get(whole, "income_q2").unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(get(iris, "nscol15p_not_low"), Some(70.0));
        assert_eq!(get(whole, "nscol15p_not_low"), None, "a part above its total is not a zero");
        assert!(notes.iter().any(|n| n.contains("would be negative")), "{notes:?}");
    }

    #[test]
    fn derived_variables_cannot_chain_and_bad_terms_are_refused() {
        let t = ZoneTable::new();
        let derived = [("a".to_string(), "b - c".to_string()), ("b".to_string(), "0.5 * c".to_string())].into_iter().collect();
        let e = extend(&t, &IncomeBands::default(), &derived, &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("itself derived"), "{e}");
        assert!(Linear::parse("0.2 * ").is_err());
        assert!(Linear::parse("x * 0.2").is_err());
        assert_eq!(Linear::parse("-a+b").unwrap().terms, vec![(-1.0, "a".to_string()), (1.0, "b".to_string())]);
    }

    #[test]
    fn bad_income_settings_are_errors() {
        let t = ZoneTable::new();
        let mut income = IncomeBands::default();
        income.deciles.pop();
        let e = extend(&t, &income, &BTreeMap::default(), &mut Vec::new()).unwrap_err();
        assert!(e.to_string().contains("9 deciles"), "{e}");
        let income = IncomeBands { limits: vec![20_000.0, 10_000.0], ..IncomeBands::default() };
        assert!(extend(&t, &income, &BTreeMap::default(), &mut Vec::new()).unwrap_err().to_string().contains("ascending"));
    }
}
