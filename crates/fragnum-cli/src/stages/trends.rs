//! The trends stage (`[trends]`): every vintage of the config's tables carried onto the
//! geography of one year, then series and changes per zone and aggregate.
//!
//! Reads the target year's IRIS list and the national commune list (fragnum-ingest's
//! [`passage`](fragnum_ingest::passage)), reads each `[[table]]` apart so that no vintage is
//! lost ([`vintages`](fragnum_ingest::vintages)), harmonises them, computes
//! ([`fragnum_indices::trends`]) and writes `trends`, `changes` and `passage` (Parquet + CSV).
//! For the render stage it turns the changes into evolution layers (a ramp centred on zero, the
//! period in the title) and each sheet's « Évolution » section.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, Result};
use fragnum_core::geometry::finest_outlined_level;
use fragnum_core::{Cell, Level, Status, ZoneCode};
use fragnum_indices::trends::{IndicatorKind, NoiseReason, SOCIAL_SCORE, Territory, TrendsConfig, TrendsOutput};
use fragnum_ingest::passage::{CommuneHistory, Harmonised, Passage, RouteRule};
use fragnum_ingest::{Report, Severity};
use fragnum_render::classify::{Classification, Method};
use fragnum_render::evolution::{Evolution, EvolutionLine};
use fragnum_render::ramp::Ramp;
use fragnum_render::tables::Table;
use fragnum_render::{Layer, Unit};

use super::Context;
use crate::progress::say;

/// What the stage hands to the render stage.
pub struct Trends {
    /// Series and changes.
    pub output: TrendsOutput,
    /// The `[trends]` settings.
    pub config: TrendsConfig,
}

/// Runs the stage: reads the reference files, harmonises every vintage, computes the series
/// and changes, writes them and prints a summary.
pub fn run(ctx: &Context, cfg: &TrendsConfig) -> Result<Trends> {
    let started = std::time::Instant::now();
    // Read and checked before ingest (crate::inputs): a bad reference file fails the run first.
    let geography = ctx
        .inputs
        .trends_geography
        .clone()
        .with_context(|| format!("[trends] reference: the {} IRIS list was not read", cfg.geography_year))?;
    let history = if let Some(h) = &ctx.inputs.commune_history {
        h.clone()
    } else {
        say!("trends: no national commune list ([trends] communes): codes of merged communes will be unmapped");
        CommuneHistory::new()
    };
    // Population of the target zones, to share out a split IRIS: the snapshot's figure where the
    // code is the same.
    let table = &ctx.loaded.table;
    let population: BTreeMap<String, f64> = table
        .zones()
        .iter()
        .filter(|z| matches!(z.code.level(), Level::Iris | Level::Commune))
        .filter_map(|z| Some((z.code.as_str().to_string(), table.get(&z.code, &cfg.population).value()?)))
        .collect();
    let iris_count = geography.iris_count();
    let passage = Passage::new(geography, history, population);
    let social = ctx.config.indices.as_ref().map(|i| i.social.clone()).unwrap_or_default();
    let mut wanted = cfg.variables();
    if cfg.social {
        for v in social.variables.values() {
            if let Ok(e) = fragnum_indices::expr::Expr::parse(&v.expression) {
                wanted.extend(e.variables().into_iter().map(str::to_string));
            }
        }
    }
    // The snapshot ingest read these files and reported their problems already.
    let published = fragnum_ingest::vintages::read_published(&ctx.config.pipeline, &wanted, &mut Report::default())?;
    let mut report = Report::default();
    let harmonised = passage.harmonise(&published.tables, &wanted, &mut report);
    for p in report.problems.iter().filter(|p| p.severity >= Severity::Warning) {
        eprintln!("{p}");
    }
    let commune_epci: BTreeMap<String, (String, Option<String>)> = table
        .zones_at(Level::Commune)
        .filter_map(|(_, z)| Some((z.code.as_str().to_string(), (z.epci.clone()?, z.epci_name.clone()))))
        .collect();
    let groups =
        if cfg.groups.is_empty() { ctx.config.indices.as_ref().map(|i| i.groups.clone()).unwrap_or_default() } else { cfg.groups.clone() };
    let territory = Territory { commune_epci: &commune_epci, groups: &groups };
    let output = fragnum_indices::trends::compute(&harmonised.series, &territory, cfg, cfg.social.then_some(&social))
        .context("cannot compute the trends")?;

    let mut files = series_table(&output).write(&ctx.out_dir, "trends")?;
    files.extend(changes_table(&output).write(&ctx.out_dir, "changes")?);
    files.extend(passage_table(&harmonised).write(&ctx.out_dir, "passage")?);
    print_summary(&output, &harmonised, &published.tables, iris_count, cfg);
    say!("trends: {} files written to {} in {:.2} s", files.len(), ctx.out_dir.display(), started.elapsed().as_secs_f64());
    Ok(Trends { output, config: cfg.clone() })
}

fn text<T: ToString>(v: impl IntoIterator<Item = T>) -> Vec<Option<String>> {
    v.into_iter().map(|x| Some(x.to_string())).collect()
}

fn count(n: usize) -> Option<i64> {
    i64::try_from(n).ok()
}

fn series_table(o: &TrendsOutput) -> Table {
    let r = &o.series;
    Table::default()
        .text("code", text(r.iter().map(|x| &x.code)))
        .text("level", text(r.iter().map(|x| x.level)))
        .text("name", r.iter().map(|x| x.name.clone()).collect())
        .text("indicator", text(r.iter().map(|x| &x.indicator)))
        .int("vintage", r.iter().map(|x| Some(i64::from(x.vintage))).collect())
        .float("value", r.iter().map(|x| x.value).collect())
        .bool("masked", r.iter().map(|x| Some(x.masked)).collect())
        .text("status", text(r.iter().map(|x| x.status)))
        .bool("estimated", r.iter().map(|x| Some(x.estimated)).collect())
        .float("numerator", r.iter().map(|x| x.numerator).collect())
        .float("denominator", r.iter().map(|x| x.denominator).collect())
        .int("zones", r.iter().map(|x| count(x.zones)).collect())
        .int("zones_masked", r.iter().map(|x| count(x.zones_masked)).collect())
        .int("zones_expected", r.iter().map(|x| count(x.zones_expected)).collect())
        .text("source", text(r.iter().map(|x| &x.source)))
        .int("geography", r.iter().map(|_| Some(i64::from(o.geography_year))).collect())
}

fn changes_table(o: &TrendsOutput) -> Table {
    let r = &o.changes;
    Table::default()
        .text("code", text(r.iter().map(|x| &x.code)))
        .text("level", text(r.iter().map(|x| x.level)))
        .text("name", r.iter().map(|x| x.name.clone()).collect())
        .text("indicator", text(r.iter().map(|x| &x.indicator)))
        .text("kind", text(r.iter().map(|x| x.kind.as_str())))
        .int("start_vintage", r.iter().map(|x| Some(i64::from(x.start_vintage))).collect())
        .int("end_vintage", r.iter().map(|x| Some(i64::from(x.end_vintage))).collect())
        .float("start", r.iter().map(|x| x.start).collect())
        .float("end", r.iter().map(|x| x.end).collect())
        .float("change", r.iter().map(|x| x.change).collect())
        .float("change_points", r.iter().map(|x| x.change_points).collect())
        .float("relative_change", r.iter().map(|x| x.relative_change).collect())
        .bool("within_noise", r.iter().map(|x| x.within_noise).collect())
        .text(
            "noise_reason",
            r.iter()
                .map(|x| (!x.noise.is_empty()).then(|| x.noise.iter().map(|n| n.describe(o.small_count)).collect::<Vec<_>>().join("; ")))
                .collect(),
        )
}

/// One row of the passage table: file, line, code, level, rule, target, weight, note.
type PassageRow = (String, Option<i64>, String, String, &'static str, Option<String>, Option<f64>, String);

/// One row per published code and target: file, line, code, rule, target, weight, note.
fn passage_table(h: &Harmonised) -> Table {
    let mut rows: Vec<PassageRow> = Vec::new();
    for l in &h.lines {
        let file = l.location.path.file_name().map_or_else(|| l.location.path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let line = l.location.line.and_then(|n| i64::try_from(n).ok());
        match &l.route {
            Ok(r) => {
                for (t, w) in &r.targets {
                    rows.push((
                        file.clone(),
                        line,
                        l.code.to_string(),
                        l.code.level().to_string(),
                        r.rule.as_str(),
                        Some(t.to_string()),
                        Some(*w),
                        r.note.clone(),
                    ));
                }
            }
            Err(why) => rows.push((file, line, l.code.to_string(), l.code.level().to_string(), "unmapped", None, None, why.clone())),
        }
    }
    Table::default()
        .text("file", text(rows.iter().map(|r| &r.0)))
        .int("line", rows.iter().map(|r| r.1).collect())
        .text("code", text(rows.iter().map(|r| &r.2)))
        .text("level", text(rows.iter().map(|r| &r.3)))
        .text("rule", text(rows.iter().map(|r| r.4)))
        .text("target", rows.iter().map(|r| r.5.clone()).collect())
        .float("weight", rows.iter().map(|r| r.6).collect())
        .text("note", rows.iter().map(|r| (!r.7.is_empty()).then(|| r.7.clone())).collect())
}

fn print_summary(o: &TrendsOutput, h: &Harmonised, tables: &[fragnum_ingest::vintages::PublishedTable], iris: usize, cfg: &TrendsConfig) {
    let year = o.geography_year;
    say!("trends: {} table(s) read with every vintage, carried onto the {year} geography ({iris} IRIS)", tables.len());
    // Distinct published codes by rule (a code read in five CAF files counts once).
    let mut rule_of: BTreeMap<&ZoneCode, Result<RouteRule, &str>> = BTreeMap::new();
    for l in &h.lines {
        rule_of.entry(&l.code).or_insert_with(|| l.route.as_ref().map(|r| r.rule).map_err(String::as_str));
    }
    let mut by_rule: BTreeMap<&str, usize> = BTreeMap::new();
    let mut unmapped: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (code, r) in &rule_of {
        match r {
            Ok(rule) => *by_rule.entry(rule.as_str()).or_default() += 1,
            Err(why) => unmapped.entry(why).or_default().push(code.as_str()),
        }
    }
    let unmapped_count: usize = unmapped.values().map(Vec::len).sum();
    say!(
        "  passage: {} distinct published codes: {}; {unmapped_count} unmapped",
        rule_of.len(),
        by_rule.iter().map(|(r, n)| format!("{n} {r}")).collect::<Vec<_>>().join(", ")
    );
    for (why, codes) in &unmapped {
        say!("    unmapped ({}): {why}: {}", codes.len(), codes.join(", "));
    }
    for (v, total) in &h.unmapped {
        say!("    {v}: {total:.0} left out with the unmapped codes (totals otherwise preserved)");
    }
    for (v, n) in &h.uncombined_levels {
        say!("    {v}: {n} level value(s) of merged zones not combined (left missing)");
    }
    for (path, v) in &h.without_vintage {
        say!("    {v} of {}: no vintage, left out of the series", path.display());
    }
    // Zones with a series over time: indicators of the config with two vintages or more.
    let followed: BTreeSet<&str> = o
        .indicators
        .iter()
        .filter(|i| i.vintages.len() > 1 && (cfg.indicators.contains(&i.name) || cfg.shares.iter().any(|s| s.name == i.name)))
        .map(|i| i.name.as_str())
        .collect();
    let harmonised: BTreeSet<&str> =
        o.series.iter().filter(|r| r.level == Level::Iris && followed.contains(r.indicator.as_str())).map(|r| r.code.as_str()).collect();
    say!(
        "  zones harmonised: {} of the {iris} IRIS of {year} have a series over two vintages or more ({})",
        harmonised.len(),
        followed.iter().copied().collect::<Vec<_>>().join(", ")
    );
    for ind in &o.indicators {
        let iris_rows: BTreeSet<&str> =
            o.series.iter().filter(|r| r.indicator == ind.name && r.level == Level::Iris).map(|r| r.code.as_str()).collect();
        let changes: Vec<_> =
            o.changes.iter().filter(|c| c.indicator == ind.name && c.level == Level::Iris && c.change.is_some()).collect();
        let noisy = changes.iter().filter(|c| c.within_noise == Some(true)).count();
        say!(
            "  {:<28} {} vintage(s) {:?}, {} IRIS with a series; {}",
            ind.name,
            ind.vintages.len(),
            ind.vintages,
            iris_rows.len(),
            match ind.compared {
                Some((a, b)) => format!("change {a}–{b} in {} IRIS, {noisy} within noise", changes.len()),
                None => "no change".into(),
            }
        );
    }
    for note in &o.notes {
        say!("  note: {note}");
    }
}

/// French label of an indicator (lower case, as it reads after « Évolution des »), and whether a
/// rise is the worse direction.
fn label(indicator: &str, cfg: &TrendsConfig) -> (String, Option<bool>) {
    if let Some(s) = cfg.shares.iter().find(|s| s.name == indicator) {
        let (num, worse) = label(&s.numerator, cfg);
        // What the base counts, as a plural noun (« pour 100 allocataires »).
        let den = match s.denominator.as_str() {
            "caf_allocataires" => "allocataires".to_string(),
            "caf_personnes_couvertes" => "personnes couvertes".to_string(),
            "pop" => "habitants".to_string(),
            other => label(other, cfg).0,
        };
        return (format!("{num} pour {} {den}", fragnum_render::format::number(s.per, 0)), worse);
    }
    let (text, worse) = match indicator {
        "caf_allocataires" => ("allocataires CAF", None),
        "caf_personnes_couvertes" => ("personnes couvertes par la CAF", None),
        "caf_rsa_socle" => ("allocataires du RSA", Some(true)),
        "caf_prime_activite" => ("allocataires de la prime d'activité", Some(true)),
        "caf_aah" => ("allocataires de l'AAH", Some(true)),
        "caf_aides_logement" => ("allocataires d'une aide au logement", Some(true)),
        "caf_monoparents" => ("allocataires monoparents", Some(true)),
        "caf_isoles" => ("allocataires isolés", None),
        "disp_med" => ("revenus disponibles médians par unité de consommation", Some(false)),
        "disp_tp60" => ("taux de pauvreté (seuil à 60 %)", Some(true)),
        "disp_ppsoc" => ("parts des prestations sociales dans le revenu", Some(true)),
        "disp_ppmini" => ("parts des minima sociaux dans le revenu", Some(true)),
        "pop" => ("populations", None),
        SOCIAL_SCORE => ("scores de précarité sociale", Some(true)),
        other => return (other.to_string(), None),
    };
    (text.to_string(), worse)
}

/// The unit of a change, and the word of the title's parenthesis.
fn change_unit(kind: IndicatorKind, indicator: &str) -> (Unit, &'static str) {
    match kind {
        IndicatorKind::Share | IndicatorKind::Percent => (Unit::Index, "points"),
        // The legend says « effectifs », « en euros », « indice » after the title.
        IndicatorKind::Count => (Unit::Count, ""),
        IndicatorKind::Level if indicator.starts_with("disp_") => (Unit::Euros, ""),
        IndicatorKind::Score | IndicatorKind::Level => (Unit::Index, ""),
    }
}

/// The layer id: a theme prefix the atlas knows (CAF benefits with social precarity, incomes
/// and population with demography).
fn layer_id(indicator: &str) -> String {
    if indicator.starts_with("disp_") {
        format!("revenu_evolution_{indicator}")
    } else if indicator == "pop" {
        "pop_evolution".into()
    } else {
        format!("precarite_sociale_evolution_{indicator}")
    }
}

/// Five classes centred on zero, symmetric: ±0.2 m and ±0.6 m, where m is the largest change
/// in absolute value (the middle class holds the zones that barely changed).
fn centred(values: &BTreeMap<ZoneCode, Cell>) -> Classification {
    let m = values.values().filter_map(|c| c.value()).fold(0.0_f64, |a, v| a.max(v.abs()));
    let m = if m > 0.0 { m } else { 1.0 };
    Classification { method: Method::Manual, classes: 5, breaks: vec![-0.6 * m, -0.2 * m, 0.2 * m, 0.6 * m, m] }
}

/// One evolution layer per indicator with a change, at the finest outlined level and by commune
/// when commune outlines exist: the change (points for shares and rates), a diverging ramp
/// centred on zero, the period in the title. Zones whose change rests on a figure estimated by
/// the passage are marked imputed.
pub fn layers(ctx: &Context, t: &Trends) -> Vec<Layer> {
    let finest = finest_outlined_level(&ctx.loaded.geometries).unwrap_or(Level::Iris);
    let has_communes = ctx.loaded.geometries.keys().any(|c| c.level() == Level::Commune);
    let mut out = Vec::new();
    for ind in &t.output.indicators {
        let Some((a, b)) = ind.compared else { continue };
        if ind.kind == IndicatorKind::Score {
            continue;
        }
        let (name, worse) = label(&ind.name, &t.config);
        let (unit, word) = change_unit(ind.kind, &ind.name);
        let ramp = match worse {
            Some(true) => Ramp::BuRd,
            Some(false) => Ramp::RdBu,
            None => Ramp::PuOr,
        };
        let mut levels = vec![finest];
        if has_communes && finest != Level::Commune {
            levels.push(Level::Commune);
        }
        for level in levels {
            let mut values = BTreeMap::new();
            let mut statuses = BTreeMap::new();
            for c in t.output.changes.iter().filter(|c| c.indicator == ind.name && c.level == level) {
                let Ok(code) = ZoneCode::new(level, &c.code) else { continue };
                let cell = match (c.change_points.or(c.change), c.noise.iter().any(|n| matches!(n, NoiseReason::Masked(_)))) {
                    (Some(v), _) => Cell::Value(v),
                    (None, true) => Cell::Masked,
                    (None, false) => Cell::Missing,
                };
                if c.noise.iter().any(|n| matches!(n, NoiseReason::Estimated(_))) {
                    statuses.insert(code.clone(), Status::Imputed);
                }
                values.insert(code, cell);
            }
            if !values.values().any(|c| c.is_value()) {
                continue;
            }
            let suffix = if level == Level::Commune && finest != Level::Commune { " — par commune" } else { "" };
            let unit_word = if word.is_empty() { String::new() } else { format!(" ({word})") };
            let title = format!("Évolution des {name}, {a}–{b}{suffix}{unit_word}");
            // The sources of the two vintages compared.
            let sources: BTreeSet<&str> = t
                .output
                .series
                .iter()
                .filter(|r| r.indicator == ind.name && (r.vintage == a || r.vintage == b))
                .flat_map(|r| r.source.split("; "))
                .filter(|s| !s.is_empty())
                .collect();
            out.push(Layer {
                id: format!("{}{}", layer_id(&ind.name), if suffix.is_empty() { "" } else { "_commune" }),
                title,
                unit,
                source: format!(
                    "{} ; calcul fragnum, géographie {}",
                    sources.into_iter().collect::<Vec<_>>().join(" ; "),
                    t.output.geography_year
                ),
                vintage: format!("{a}–{b}"),
                classification: centred(&values),
                values,
                ramp,
                decimals: Some(match unit {
                    Unit::Count | Unit::Euros => 0,
                    _ => 1,
                }),
                statuses,
            });
        }
    }
    out
}

/// Why a change may be noise, in French.
fn noise_fr(n: NoiseReason, small: f64) -> String {
    match n {
        NoiseReason::SmallCount => format!("petits effectifs (moins de {})", fragnum_render::format::number(small, 0)),
        NoiseReason::Masked(y) => format!("secret statistique en {y}"),
        NoiseReason::Coverage(y) => format!("zones sans chiffre en {y}"),
        NoiseReason::Estimated(y) => format!("chiffre estimé par la table de passage en {y}"),
        NoiseReason::NoFigure(y) => format!("pas de chiffre en {y}"),
    }
}

/// The « Évolution » section of every sheet: zones of the finest outlined level and custom
/// groups, keyed by sheet code (zone code or group name).
pub fn evolutions(ctx: &Context, t: &Trends) -> BTreeMap<String, Evolution> {
    let finest = finest_outlined_level(&ctx.loaded.geometries).unwrap_or(Level::Iris);
    let o = &t.output;
    let followed: Vec<&fragnum_indices::trends::IndicatorInfo> = o
        .indicators
        .iter()
        .filter(|i| i.compared.is_some() && (t.config.indicators.contains(&i.name) || t.config.shares.iter().any(|s| s.name == i.name)))
        .collect();
    let mut by_code: BTreeMap<&str, Vec<&fragnum_indices::trends::SeriesRow>> = BTreeMap::new();
    for r in o.series.iter().filter(|r| r.level == finest || r.level == Level::Group) {
        by_code.entry(r.code.as_str()).or_default().push(r);
    }
    let changes: BTreeMap<(&str, &str), &fragnum_indices::trends::ChangeRow> = o
        .changes
        .iter()
        .filter(|c| c.level == finest || c.level == Level::Group)
        .map(|c| ((c.code.as_str(), c.indicator.as_str()), c))
        .collect();
    let note = format!(
        "Chiffres ramenés à la géographie {} (table de passage : communes fusionnées, IRIS redécoupés). Les moyennes ne sont jamais faites sur des parts : elles sont recalculées à partir des effectifs.",
        o.geography_year
    );
    let mut out = BTreeMap::new();
    for (code, rows) in by_code {
        let mut lines = Vec::new();
        for ind in &followed {
            let mut points: Vec<(u16, Option<f64>)> = Vec::new();
            let mut masked = Vec::new();
            for r in rows.iter().filter(|r| r.indicator == ind.name) {
                points.push((r.vintage, r.value));
                if r.value.is_none() && r.masked {
                    masked.push(r.vintage);
                }
            }
            if points.is_empty() {
                continue;
            }
            points.sort_by_key(|p| p.0);
            let change = changes.get(&(code, ind.name.as_str()));
            let (since, until) = ind.compared.unwrap_or((points[0].0, points[points.len() - 1].0));
            let (name, _) = label(&ind.name, &t.config);
            let unit = match ind.kind {
                IndicatorKind::Share | IndicatorKind::Percent => Unit::Percent,
                IndicatorKind::Level if ind.name.starts_with("disp_") => Unit::Euros,
                IndicatorKind::Count => Unit::Count,
                _ => Unit::Index,
            };
            // A row label names one indicator (the map titles say « Évolution des … » in the plural).
            let mut label = name
                .replace("revenus disponibles médians", "revenu disponible médian")
                .replace("parts des", "part des")
                .replace("populations", "population")
                .replace("scores de", "score de");
            if let Some(first) = label.get(..1) {
                label = first.to_uppercase() + &label[1..];
            }
            lines.push(EvolutionLine {
                label,
                unit,
                points,
                masked,
                change: change.and_then(|c| c.change_points.or(c.change)),
                in_points: ind.kind.in_points(),
                since,
                until,
                noise: change
                    .filter(|c| c.within_noise == Some(true))
                    .map(|c| c.noise.iter().map(|n| noise_fr(*n, o.small_count)).collect())
                    .unwrap_or_default(),
            });
        }
        if !lines.is_empty() {
            out.insert(code.to_string(), Evolution { geography_year: o.geography_year, lines, note: Some(note.clone()) });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trends_settings_are_checked_at_their_key() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("variables.toml"), "[columns]\nPOP = \"pop\"\n[sets.caf]\nA = \"caf_allocataires\"\n").unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[project]\nname = 'x'\n[trends]\ngeography_year = 2021\nreference = 'reference_IRIS_geo2019.csv'\nindicators = ['caf_allocataires', 'caf_rsa']\nvintages = [2020]\n",
        )
        .unwrap();
        let (_, problems) = crate::config::Config::read(&path).unwrap();
        let shown: Vec<String> = problems
            .iter()
            .map(|p| format!("{}:{}: {}", p.location.line.unwrap_or(0), p.location.column.unwrap_or(0), p.message))
            .collect();
        assert_eq!(shown.len(), 3, "{shown:#?}");
        assert!(
            shown[0].starts_with("5:13: [trends] reference: `reference_IRIS_geo2019.csv` looks like the IRIS list of 2019"),
            "{shown:#?}"
        );
        assert!(shown[1].starts_with("7:12: [trends] vintages:"), "{shown:#?}");
        assert!(shown[2].starts_with("6:35: [trends] indicators[1]: `caf_rsa` is not a variable"), "{shown:#?}");
        std::fs::write(&path, "[project]\nname = 'x'\n[trends]\ngeography_year = 2021\nreference = 'r.csv'\nindicator = ['pop']\n")
            .unwrap();
        let e = crate::config::Config::read(&path).unwrap_err();
        assert!(e[0].message.contains("unknown field `indicator`"), "{e:?}");
    }

    #[test]
    fn evolution_maps_are_centred_on_zero_with_the_period_in_the_title() {
        let values: BTreeMap<ZoneCode, Cell> = [("381850101", 4.0), ("381850102", -10.0), ("381850103", 1.0)]
            .iter()
            .map(|(c, v)| (ZoneCode::new(Level::Iris, c).unwrap(), Cell::Value(*v)))
            .collect();
        let c = centred(&values);
        assert_eq!(c.breaks, vec![-6.0, -2.0, 2.0, 6.0, 10.0]);
        let cfg: TrendsConfig = toml::from_str(
            "geography_year = 2021\nreference = 'r.csv'\nindicators = ['caf_rsa_socle']\n[[shares]]\nname = 'rsa_pour_100_allocataires'\nnumerator = 'caf_rsa_socle'\ndenominator = 'caf_allocataires'\n",
        )
        .unwrap();
        assert_eq!(label("rsa_pour_100_allocataires", &cfg), ("allocataires du RSA pour 100 allocataires".to_string(), Some(true)));
        assert_eq!(change_unit(IndicatorKind::Share, "x"), (Unit::Index, "points"));
        assert_eq!(layer_id("disp_med"), "revenu_evolution_disp_med");
    }
}
