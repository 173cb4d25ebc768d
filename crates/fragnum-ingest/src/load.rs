//! Reads everything a config lists, joins statistics with outlines, and reports coverage.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use fragnum_core::{Cell, Level, Location, ZoneCode, ZoneGeometries, ZoneTable};

use crate::census::{Origins, figure, read_table_traced};
use crate::config::PipelineConfig;
use crate::contours::read_contours;
use crate::mapping::Mapping;
use crate::{IngestError, Report, Severity};

/// What one input contributed.
#[derive(Debug, Clone)]
pub struct SourceSummary {
    /// The file.
    pub path: PathBuf,
    /// `table` or `contours`.
    pub kind: &'static str,
    /// Zone level.
    pub level: Level,
    /// Rows or features read (0 when the file failed).
    pub rows: usize,
    /// Variables it filled.
    pub variables: Vec<String>,
    /// Citation from the config.
    pub source: Option<String>,
}

/// Codes found on one side of the statistics ↔ outlines join only.
#[derive(Debug, Clone, Default)]
pub struct JoinReport {
    /// Level joined.
    pub level: Option<Level>,
    /// Zones with statistics but no outline.
    pub without_outline: Vec<String>,
    /// Outlines with no statistics.
    pub without_statistics: Vec<String>,
}

/// Everything ingest produced.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The zone table, sorted by level and code.
    pub table: ZoneTable,
    /// Outlines in WGS84.
    pub geometries: ZoneGeometries,
    /// Findings (fatal ones included: check [`Report::has_fatal`]).
    pub report: Report,
    /// One entry per input file.
    pub sources: Vec<SourceSummary>,
    /// One entry per level that has outlines.
    pub joins: Vec<JoinReport>,
}

/// The age bands whose sum is the population when a table gives no total (RP `base-ic-evol-struct-pop`).
pub const AGE_BANDS: [&str; 6] = ["pop_0014", "pop_1529", "pop_3044", "pop_4559", "pop_6074", "pop_75p"];

/// Reads every input of `config`. Problems with one file are recorded and the others are still
/// read, so one run lists every problem; only an unreadable mapping table stops at once. Then
/// warns about figures two tables disagree on ([`Origins::report_conflicts`]) and strata that
/// exceed their totals ([`check_strata`]).
pub fn load(config: &PipelineConfig, on_file: &mut dyn FnMut(&std::path::Path)) -> Result<Loaded, IngestError> {
    let mapping = Mapping::load(&config.resolve(&config.project.variables))?;
    let mut out = Loaded::default();
    let mut stat_codes: BTreeMap<Level, BTreeSet<ZoneCode>> = BTreeMap::new();
    let mut origins = Origins::new(config.project.on_conflict);
    for source in &config.tables {
        let path = config.resolve(&source.path);
        on_file(&path);
        let mut summary = SourceSummary {
            path: path.clone(),
            kind: "table",
            level: source.level,
            rows: 0,
            variables: vec![],
            source: source.source.clone(),
        };
        match read_table_traced(&path, source, &mapping, &mut out.table, &mut origins, &mut out.report) {
            Ok(s) => {
                summary.rows = s.rows;
                summary.variables = s.variables;
                stat_codes.entry(source.level).or_default().extend(s.codes);
            }
            Err(e) => out.report.push_error(&e),
        }
        out.sources.push(summary);
    }
    let mut outline_codes: BTreeMap<Level, BTreeSet<ZoneCode>> = BTreeMap::new();
    for source in &config.contours {
        let path = config.resolve(&source.path);
        on_file(&path);
        let mut summary =
            SourceSummary { path: path.clone(), kind: "contours", level: source.level, rows: 0, variables: vec![], source: None };
        match read_contours(&path, source, &mut out.report) {
            Ok(features) => {
                summary.rows = features.len();
                for f in features {
                    let code = f.zone.code.clone();
                    if outline_codes.entry(source.level).or_default().insert(code.clone()) {
                        out.table.upsert_zone(f.zone);
                        if let Some(g) = f.geometry {
                            out.geometries.insert(code, g);
                        }
                    } else {
                        out.report.push(
                            Severity::Warning,
                            Location::file(&path),
                            format!("duplicate outline for zone {code}; the first one is kept"),
                        );
                    }
                }
            }
            Err(e) => out.report.push_error(&e),
        }
        out.sources.push(summary);
    }
    for (level, outlines) in &outline_codes {
        let stats = stat_codes.remove(level).unwrap_or_default();
        let join = JoinReport {
            level: Some(*level),
            without_outline: stats.difference(outlines).map(ToString::to_string).collect(),
            without_statistics: outlines.difference(&stats).map(ToString::to_string).collect(),
        };
        if !join.without_outline.is_empty() {
            out.report.push(
                Severity::Warning,
                Location::file(&config.path),
                format!(
                    "{} {level} zone(s) have statistics but no outline (e.g. {}); geography vintages may differ",
                    join.without_outline.len(),
                    join.without_outline.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                ),
            );
        }
        out.joins.push(join);
    }
    origins.report_conflicts(&mut out.report);
    derive_totals(&mut out.table);
    check_strata(&out.table, &origins, &Location::file(&config.path), &mut out.report);
    let changed = align_epci_with_communes(&mut out.table);
    if changed > 0 {
        out.report.push(Severity::Note, Location::file(&config.path), format!("{changed} zones took their EPCI from their commune's row (the commune → EPCI composition table wins over EPCI columns of other tables, which may be of another year)"));
    }
    restrict_to_territory(&mut out, &config.project.territory, &Location::file(&config.path));
    out.table.sort();
    Ok(out)
}

/// Leaves out the zones outside `territory` (codes of départements, EPCI or communes; empty
/// keeps all) and their outlines. A zone is inside when its own code, its commune, its EPCI or
/// its département is listed; EPCI and département rows of the table are kept when listed
/// themselves. The count left out is a note; a territory that keeps nothing is a fatal finding.
fn restrict_to_territory(out: &mut Loaded, territory: &[String], at: &Location) {
    if territory.is_empty() {
        return;
    }
    let listed = |c: Option<&str>| c.is_some_and(|c| territory.iter().any(|t| t == c));
    // Sub-communal zones already carry their commune's EPCI (align_epci_with_communes ran first).
    let inside = |z: &fragnum_core::Zone| {
        listed(Some(z.code.as_str())) || listed(z.commune.as_deref()) || listed(z.epci.as_deref()) || listed(z.code.departement())
    };
    let removed = out.table.retain(inside);
    let table = &out.table;
    out.geometries.retain(|code, _| table.row(code).is_ok());
    if out.table.is_empty() {
        out.report.push(Severity::Fatal, at.clone(), format!("[project] territory = {territory:?}: no zone of the inputs lies in it"));
    } else {
        out.report.push(
            Severity::Note,
            at.clone(),
            format!("[project] territory: {removed} zone(s) outside {} left out", territory.join(", ")),
        );
    }
}

/// A stratum (or a sum of strata) and the total it cannot exceed.
struct StratumRule {
    parts: &'static [&'static str],
    total: &'static str,
}

const fn part(part: &'static [&'static str], total: &'static str) -> StratumRule {
    StratumRule { parts: part, total }
}

/// Strata that cannot exceed their totals: single strata, then sums of disjoint strata.
const STRATUM_RULES: &[StratumRule] = &[
    part(&["pop_0014"], "pop"),
    part(&["pop_1529"], "pop"),
    part(&["pop_3044"], "pop"),
    part(&["pop_4559"], "pop"),
    part(&["pop_6074"], "pop"),
    part(&["pop_75p"], "pop"),
    part(&["pop_0019"], "pop"),
    part(&["pop_2064"], "pop"),
    part(&["pop_65p"], "pop"),
    part(&["pop_15p"], "pop"),
    part(&["pop_1564"], "pop"),
    part(&["pop_h"], "pop"),
    part(&["pop_f"], "pop"),
    part(&["pop_imm"], "pop"),
    part(&["nscol15p"], "pop"),
    part(&["pmen"], "pop"),
    part(&["nscol15p_diplmin"], "nscol15p"),
    part(&["nscol15p_bepc"], "nscol15p"),
    part(&["nscol15p_capbep"], "nscol15p"),
    part(&["nscol15p_bac"], "nscol15p"),
    part(&["nscol15p_sup"], "nscol15p"),
    part(&["nscol15p_sup2"], "nscol15p"),
    part(&["nscol15p_sup34"], "nscol15p"),
    part(&["nscol15p_sup5"], "nscol15p"),
    part(&["men_pseul"], "men"),
    part(&["men_fam"], "men"),
    part(&["fam_mono"], "fam"),
    part(&["pmen_men_h_seul"], "pmen"),
    part(&["pmen_men_f_seul"], "pmen"),
    part(&["pmen_men_fammono"], "pmen"),
    part(&["act_1564"], "pop_1564"),
    part(&["inact_1564"], "pop_1564"),
    part(&["actocc_1564"], "act_1564"),
    part(&["chom_1564"], "act_1564"),
    part(&["caf_monoparents"], "caf_allocataires"),
    part(&["caf_isoles"], "caf_allocataires"),
    part(&["caf_aides_logement"], "caf_allocataires"),
    part(&["caf_aah"], "caf_allocataires"),
    part(&["caf_prime_activite"], "caf_allocataires"),
    part(&["caf_rsa_socle"], "caf_allocataires"),
    part(&["caf_revenus_50pc_prestations"], "caf_allocataires"),
    part(&["caf_revenus_100pc_prestations"], "caf_allocataires"),
    part(&["caf_allocataires"], "caf_personnes_couvertes"),
    part(&["de_abc_rsa"], "de_abc"),
    part(&["de_abc_infcapbep"], "de_abc"),
    part(&["de_abc_capbep"], "de_abc"),
    part(&["de_abc_bac"], "de_abc"),
    part(&["de_abc_supbac"], "de_abc"),
    part(&["de_abc_moins25"], "de_abc"),
    part(&["de_abc_50p"], "de_abc"),
    part(&["pop_h_0014"], "pop_h"),
    part(&["pop_h_1529"], "pop_h"),
    part(&["pop_h_3044"], "pop_h"),
    part(&["pop_h_4559"], "pop_h"),
    part(&["pop_h_6074"], "pop_h"),
    part(&["pop_h_75p"], "pop_h"),
    part(&["pop_f_0014"], "pop_f"),
    part(&["pop_f_1529"], "pop_f"),
    part(&["pop_f_3044"], "pop_f"),
    part(&["pop_f_4559"], "pop_f"),
    part(&["pop_f_6074"], "pop_f"),
    part(&["pop_f_75p"], "pop_f"),
    part(&AGE_BANDS, "pop"),
    part(&["pop_0019", "pop_2064", "pop_65p"], "pop"),
    part(&["pop_h", "pop_f"], "pop"),
    part(&["pop15p_cs1", "pop15p_cs2", "pop15p_cs3", "pop15p_cs4", "pop15p_cs5", "pop15p_cs6", "pop15p_cs7", "pop15p_cs8"], "pop"),
    part(&["nscol15p_diplmin", "nscol15p_bepc", "nscol15p_capbep", "nscol15p_bac", "nscol15p_sup"], "nscol15p"),
    part(&["men_pseul", "men_fam"], "men"),
    part(&["act_1564", "inact_1564"], "pop_1564"),
    part(&["actocc_1564", "chom_1564"], "act_1564"),
    part(&["de_abc_infcapbep", "de_abc_capbep", "de_abc_bac", "de_abc_supbac"], "de_abc"),
];

/// How far a stratum may exceed its total: INSEE weighted counts differ by rounding.
pub const STRATUM_TOLERANCE: &str = "1 % + 1";

/// Located warnings per rule before the rest are only counted.
const STRATUM_SHOWN: usize = 10;

/// Warns where a stratum (or a sum of disjoint strata) exceeds its total by more than 1 % + 1:
/// `pop_1529` > `pop`, the six age bands > `pop`, `nscol15p_diplmin` > `nscol15p`, `men_pseul` >
/// `men`, `fam_mono` > `fam`, the CSP of people 15+ > `pop`… Only figures of one vintage are
/// compared (a 2016 band against a 2021 total says nothing). Each warning names the zone and
/// both figures at the cell of the stratum (`origins`, else `fallback`); past ten per rule, the
/// others are counted in one more warning.
pub fn check_strata(table: &ZoneTable, origins: &Origins, fallback: &Location, report: &mut Report) {
    for rule in STRATUM_RULES {
        let Some(total) = table.variable(rule.total) else { continue };
        let parts: Option<Vec<_>> = rule.parts.iter().map(|p| table.variable(p)).collect();
        let Some(parts) = parts else { continue };
        let label = if rule.parts.len() > 3 {
            format!("{} + … + {}", rule.parts[0], rule.parts[rule.parts.len() - 1])
        } else {
            rule.parts.join(" + ")
        };
        let mut over = 0usize;
        for row in 0..table.len() {
            let (Cell::Value(t), vintage) = (total.values[row], total.vintages[row]) else { continue };
            let mut sum = 0.0;
            let mut complete = true;
            for p in &parts {
                match p.values[row] {
                    Cell::Value(v) if p.vintages[row] == vintage => sum += v,
                    _ => complete = false,
                }
            }
            if !complete || sum <= t * 1.01 + 1.0 {
                continue;
            }
            over += 1;
            if over <= STRATUM_SHOWN {
                let location =
                    origins.location(rule.parts[0], row).or_else(|| origins.location(rule.total, row)).unwrap_or_else(|| fallback.clone());
                report.push(
                    Severity::Warning,
                    location,
                    format!(
                        "zone {}: {label} = {} exceeds {} = {} by more than {STRATUM_TOLERANCE}",
                        table.zones()[row].code,
                        figure(sum),
                        rule.total,
                        figure(t)
                    ),
                );
            }
        }
        if over > STRATUM_SHOWN {
            report.push(
                Severity::Warning,
                fallback.clone(),
                format!(
                    "{label} exceeds {} by more than {STRATUM_TOLERANCE} in {} more zone(s), not listed",
                    rule.total,
                    over - STRATUM_SHOWN
                ),
            );
        }
    }
}

/// Gives every sub-communal zone (IRIS, QPV) the EPCI of its commune when the commune row has
/// one: EPCI change over the years (mergers in 2017), and the composition table read at commune
/// level is the one the config chose. Returns how many zones changed.
pub fn align_epci_with_communes(table: &mut ZoneTable) -> usize {
    let mut changed = 0;
    for row in 0..table.len() {
        let zone = &table.zones()[row];
        if zone.code.level() == Level::Commune {
            continue;
        }
        let Some(commune) = zone.commune.clone().or_else(|| zone.code.commune().map(str::to_string)) else { continue };
        let Some(c) = ZoneCode::new(Level::Commune, &commune).ok().and_then(|c| table.row(&c).ok()).map(|i| &table.zones()[i]) else {
            continue;
        };
        let Some(epci) = c.epci.clone() else { continue };
        let epci_name = c.epci_name.clone();
        if let Some(z) = table.zone_mut(row)
            && z.epci.as_deref() != Some(epci.as_str())
        {
            z.epci = Some(epci);
            z.epci_name = epci_name;
            changed += 1;
        }
    }
    changed
}

/// Fills `pop` with the sum of the age bands where a table gave no total. All six bands must be
/// numbers; a masked band makes the total masked, never a partial sum.
pub fn derive_population(table: &mut ZoneTable) {
    derive_sum(table, "pop", &AGE_BANDS);
}

/// Totals that INSEE publishes in some vintages only, rebuilt from their parts where absent:
/// `pop` from the six age bands, `nscol15p_sup` (any higher-education diploma) from bac+2,
/// bac+3/4 and bac+5 (RP 2017 and later publish only the three parts).
pub fn derive_totals(table: &mut ZoneTable) {
    derive_population(table);
    derive_sum(table, "nscol15p_sup", &["nscol15p_sup2", "nscol15p_sup34", "nscol15p_sup5"]);
}

/// Sets `total` = sum of `parts` on every zone that lacks it and has at least one part; the
/// total is a number only when every part is, masked when any part is masked.
fn derive_sum(table: &mut ZoneTable, total: &str, parts: &[&str]) {
    if parts.iter().any(|b| table.variable(b).is_none()) {
        return;
    }
    for row in 0..table.len() {
        let code = table.zones()[row].code.clone();
        if table.get(&code, total) != Cell::Missing {
            continue;
        }
        let cells: Vec<Cell> = parts.iter().map(|b| table.get(&code, b)).collect();
        if cells.iter().all(|c| *c == Cell::Missing) {
            continue;
        }
        let vintage = table.variable(parts[0]).and_then(|v| v.vintages[row]);
        let sum = if cells.iter().all(|c| c.is_value()) {
            Cell::Value(cells.iter().filter_map(|c| c.value()).sum())
        } else if cells.contains(&Cell::Masked) {
            Cell::Masked
        } else {
            Cell::Missing
        };
        table.set(row, total, sum, vintage);
    }
}
