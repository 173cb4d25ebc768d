//! The « Évolution » section of a fact sheet: each indicator's series over the vintages, as a
//! small inline SVG line chart, and its change in words (« +3,2 points depuis 2016 »).
//!
//! The section is added to the sheets of [`crate::sheets`] without changing their inputs: the
//! series travel beside them, keyed by sheet code ([`write_sheets_with_evolutions`]), and are
//! inserted at the end of each sheet's `<main>`. A zone without series gets no section.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::RenderError;
use crate::format::{NNBSP, Unit, number};
use crate::sheets::{SheetInput, escape, sheet_html};

/// One indicator's series in a zone, as the sheet shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct EvolutionLine {
    /// French label (« Allocataires du RSA pour 100 allocataires »).
    pub label: String,
    /// Unit of the values (`Percent` for shares per 100, `Count`, `Euros`).
    pub unit: Unit,
    /// Each vintage and its figure (`None`: masked or missing).
    pub points: Vec<(u16, Option<f64>)>,
    /// Vintages whose figure is withheld (secret statistique).
    pub masked: Vec<u16>,
    /// The change between `since` and `until`, when both have a figure.
    pub change: Option<f64>,
    /// True when the change is a difference of percentages (said in points).
    pub in_points: bool,
    /// The earlier vintage compared.
    pub since: u16,
    /// The later vintage compared.
    pub until: u16,
    /// Why the change may be noise, in French (« petits effectifs (moins de 11) »); empty when
    /// it is not.
    pub noise: Vec<String>,
}

/// Every series of one sheet.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Evolution {
    /// The year of the geography the series are carried onto.
    pub geography_year: u16,
    /// The indicators, in display order.
    pub lines: Vec<EvolutionLine>,
    /// A sentence under the table (how zones were harmonised), when any.
    pub note: Option<String>,
}

/// The change in words: « +3,2 points depuis 2016 », « −120 depuis 2016 », « +600 € depuis 2019 ».
///
/// ```
/// use fragnum_render::evolution::change_sentence;
/// use fragnum_render::Unit;
/// assert_eq!(change_sentence(3.2, true, Unit::Percent, 2016), "+3,2\u{a0}points depuis 2016");
/// assert_eq!(change_sentence(-1.04, true, Unit::Percent, 2016), "\u{2212}1,0\u{a0}point depuis 2016");
/// assert_eq!(change_sentence(-120.0, false, Unit::Count, 2016), "\u{2212}120 depuis 2016");
/// assert_eq!(change_sentence(600.0, false, Unit::Euros, 2019), "+600\u{202f}€ depuis 2019");
/// ```
pub fn change_sentence(change: f64, in_points: bool, unit: Unit, since: u16) -> String {
    let decimals = if in_points { 1 } else { unit.default_decimals() };
    let text = number(change, decimals);
    let zero = !text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let signed = if change > 0.0 && !zero { format!("+{text}") } else { text };
    let amount = if in_points {
        // French: « 1,5 point », « 2 points ».
        let word = if change.abs() < 1.95 { "point" } else { "points" };
        format!("{signed}\u{a0}{word}")
    } else {
        match unit.sign() {
            "" => signed,
            sign => format!("{signed}{NNBSP}{sign}"),
        }
    };
    format!("{amount} depuis {since}")
}

/// A small line chart of one series: a polyline through the vintages with a figure (broken where
/// one is missing or masked), a dot on each, the first and last years under it, and a `<title>`.
pub fn line_chart(line: &EvolutionLine) -> String {
    let (w, h, pad) = (180.0, 54.0, 6.0);
    let known: Vec<(u16, f64)> = line.points.iter().filter_map(|(y, v)| Some((*y, (*v)?))).collect();
    let (Some(first), Some(last)) = (line.points.first().map(|p| p.0), line.points.last().map(|p| p.0)) else {
        return String::new();
    };
    let span_years = f64::from(last.saturating_sub(first).max(1));
    let (lo, hi) = known.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), (_, v)| (a.min(*v), b.max(*v)));
    let (lo, hi) = if known.is_empty() {
        (0.0, 1.0)
    } else if hi - lo < 1e-9 {
        (lo - 1.0, hi + 1.0)
    } else {
        (lo, hi)
    };
    let x = |y: u16| pad + (w - 2.0 * pad) * f64::from(y - first) / span_years;
    let y = |v: f64| pad + (h - 18.0 - pad) * (1.0 - (v - lo) / (hi - lo));
    let decimals = if line.in_points { 1 } else { line.unit.default_decimals() };
    let described: Vec<String> = line
        .points
        .iter()
        .map(|(year, v)| match v {
            Some(v) => format!("{year} : {}", number(*v, decimals)),
            None if line.masked.contains(year) => format!("{year} : secret statistique"),
            None => format!("{year} : non disponible"),
        })
        .collect();
    let mut svg = format!(
        "<svg class=\"evolution\" width=\"{w}\" height=\"{h}\" viewBox=\"0 0 {w} {h}\" role=\"img\"><title>{} — {}</title>",
        escape(&line.label),
        escape(&described.join(", "))
    );
    let mut path = String::new();
    let mut previous: Option<u16> = None;
    for (year, v) in &line.points {
        match v {
            Some(v) => {
                let _ = write!(path, "{}{:.1} {:.1} ", if previous.is_some() { "L" } else { "M" }, x(*year), y(*v));
                previous = Some(*year);
            }
            None => previous = None,
        }
    }
    if !path.is_empty() {
        let _ = write!(svg, "<path d=\"{}\" fill=\"none\" stroke=\"#0b4f8a\" stroke-width=\"2\"/>", path.trim_end());
    }
    for (year, v) in &line.points {
        match v {
            Some(v) => {
                let _ = write!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#0b4f8a\"/>", x(*year), y(*v));
            }
            // A masked vintage: a hollow grey mark on the baseline, never a zero.
            None if line.masked.contains(year) => {
                let _ = write!(svg, "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"2.5\" fill=\"#fff\" stroke=\"#969696\"/>", x(*year), h - 18.0);
            }
            None => {}
        }
    }
    let _ = write!(
        svg,
        "<text x=\"{pad}\" y=\"{:.1}\" font-size=\"9\" fill=\"#555\">{first}</text><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"9\" fill=\"#555\" text-anchor=\"end\">{last}</text></svg>",
        h - 4.0,
        w - pad,
        h - 4.0
    );
    svg
}

/// The « Évolution » section: one row per indicator with its chart, its first and last figures
/// and its change in words (or why there is none), and what makes it uncertain.
pub fn evolution_section(e: &Evolution) -> String {
    let mut b = String::from("<section class=\"evolution\">\n<h2>Évolution</h2>\n");
    if e.lines.is_empty() {
        b.push_str("<p class=\"manque\">Aucune série disponible pour ce quartier.</p>\n</section>\n");
        return b;
    }
    let _ = write!(
        b,
        "<table>\n<caption>Séries par millésime, sur la géographie {}</caption>\n<thead><tr><th scope=\"col\">Indicateur</th><th scope=\"col\">Série</th><th scope=\"col\">Évolution</th></tr></thead>\n<tbody>\n",
        e.geography_year
    );
    for line in &e.lines {
        let words = match line.change {
            Some(c) => format!("<strong>{}</strong>", escape(&change_sentence(c, line.in_points, line.unit, line.since))),
            None if line.masked.contains(&line.since) || line.masked.contains(&line.until) => {
                format!("non calculée (secret statistique en {})", masked_years(line))
            }
            None => format!("non calculée (pas de chiffre en {} et {})", line.since, line.until),
        };
        let noise = if line.noise.is_empty() || line.change.is_none() {
            String::new()
        } else {
            format!("<br><span class=\"precision\">À interpréter avec prudence&#160;: {}.</span>", escape(&line.noise.join(", ")))
        };
        let _ = writeln!(b, "<tr><th scope=\"row\">{}</th><td>{}</td><td>{words}{noise}</td></tr>", escape(&line.label), line_chart(line));
    }
    b.push_str("</tbody>\n</table>\n");
    if let Some(note) = &e.note {
        let _ = writeln!(b, "<p class=\"precision\">{}</p>", escape(note));
    }
    b.push_str("</section>\n");
    b
}

fn masked_years(line: &EvolutionLine) -> String {
    let years: Vec<String> = [line.since, line.until].iter().filter(|y| line.masked.contains(y)).map(ToString::to_string).collect();
    years.join(" et ")
}

/// A sheet's HTML with its « Évolution » section (when `evolution` is given) at the end of `<main>`.
pub fn sheet_html_with_evolution(s: &SheetInput, perimeter_name: &str, evolution: Option<&Evolution>) -> String {
    let html = sheet_html(s, perimeter_name);
    match (evolution, html.rfind("</main>")) {
        (Some(e), Some(at)) => format!("{}{}{}", &html[..at], evolution_section(e), &html[at..]),
        _ => html,
    }
}

/// [`crate::sheets::write_sheets_with`], each sheet with its « Évolution » section when
/// `evolutions` has one for its code.
pub fn write_sheets_with_evolutions(
    sheets: &[SheetInput],
    perimeter_name: &str,
    out_dir: &Path,
    epci: &BTreeMap<String, String>,
    atlas: bool,
    evolutions: &BTreeMap<String, Evolution>,
) -> Result<Vec<PathBuf>, RenderError> {
    crate::sheets::write_pages(sheets, perimeter_name, out_dir, epci, atlas, &|s| {
        sheet_html_with_evolution(s, perimeter_name, evolutions.get(&s.code))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rsa() -> EvolutionLine {
        EvolutionLine {
            label: "Allocataires du RSA pour 100 allocataires".into(),
            unit: Unit::Percent,
            points: vec![(2016, Some(10.0)), (2017, None), (2018, Some(11.5)), (2019, Some(12.0)), (2020, Some(13.2))],
            masked: vec![2017],
            change: Some(3.2),
            in_points: true,
            since: 2016,
            until: 2020,
            noise: vec![],
        }
    }

    #[test]
    fn the_section_says_the_change_in_words_and_draws_the_series() {
        let mut masked = rsa();
        masked.label = "Allocataires de l'AAH <script>".into();
        masked.points[0].1 = None;
        masked.masked = vec![2016];
        masked.change = None;
        let e = Evolution { geography_year: 2021, lines: vec![rsa(), masked], note: Some("Géographie 2021.".into()) };
        let html = evolution_section(&e);
        assert!(html.contains("<h2>Évolution</h2>"), "{html}");
        assert!(html.contains("+3,2\u{a0}points depuis 2016"), "{html}");
        assert!(html.contains("non calculée (secret statistique en 2016)"), "{html}");
        assert!(html.contains("2017 : secret statistique"), "{html}");
        assert!(!html.contains("<script>"), "{html}");
        // The series is broken where 2017 is masked: two subpaths.
        let chart = line_chart(&rsa());
        assert_eq!(chart.matches('M').count(), 2, "{chart}");
        assert_eq!(chart.matches("<circle").count(), 5, "{chart}");
    }

    #[test]
    fn the_section_goes_at_the_end_of_the_sheet() {
        let sheet = crate::sheets::tests::sample();
        let e = Evolution { geography_year: 2021, lines: vec![rsa()], note: None };
        let html = sheet_html_with_evolution(&sheet, "Grenoble", Some(&e));
        let (section, main) = (html.find("<h2>Évolution</h2>").unwrap(), html.find("</main>").unwrap());
        assert!(section < main);
        assert_eq!(sheet_html_with_evolution(&sheet, "Grenoble", None), sheet_html(&sheet, "Grenoble"));
        let dir = tempfile::tempdir().unwrap();
        let mut evolutions = BTreeMap::new();
        evolutions.insert(sheet.code.clone(), e);
        let files = write_sheets_with_evolutions(&[sheet], "Grenoble", dir.path(), &BTreeMap::new(), false, &evolutions).unwrap();
        assert_eq!(files.len(), 2);
        assert!(std::fs::read_to_string(&files[0]).unwrap().contains("depuis 2016"));
    }
}
