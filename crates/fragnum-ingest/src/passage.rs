//! The passage table: zone codes of any vintage → the codes of one target geography, with
//! weights, and the figures of every vintage carried across it.
//!
//! Built from two reference files: the IRIS list of the target year (INSEE « table
//! d'appartenance géographique des IRIS », every IRIS with its commune, communes non irisées as
//! `XXXXX0000`) and the national commune list (`@etalab/decoupage-administratif`
//! `communes.json`), whose `commune-deleguee` and `commune-associee` entries point at their
//! `chefLieu` and whose communes actuelles list their `anciensCodes`.
//!
//! # Rules, in order ([`Passage::route`])
//!
//! An **IRIS code** `KKKKKSSSS` (commune `KKKKK`, suffix `SSSS`):
//! 1. in the target IRIS list → itself (`same`);
//! 2. commune `KKKKK` still exists but the IRIS does not (IRIS reorganised, or a commune newly
//!    split into IRIS): the candidates are the commune's target IRIS that the same table does not
//!    publish (the new ones), else all its IRIS. One candidate → `recoded`. Several → `split`,
//!    allocated by the candidates' population when every one has a population; without one,
//!    the code goes to commune `KKKKK` as a whole (`commune_part`) and the note says so;
//! 3. commune `KKKKK` is gone (merged): its successor in the national list (`chefLieu` of a
//!    commune déléguée or associée, or the commune actuelle listing it in `anciensCodes`,
//!    followed through successive mergers until a commune of the target geography).
//!    When the commune nouvelle is not split into IRIS (its IRIS `CCCCC0000` exists), the code
//!    goes there: that IRIS is the whole commune, so the mapping is exact (`commune_nouvelle`).
//!    When it is split into IRIS, the code goes to the commune nouvelle as a whole-commune zone
//!    (`commune_part`): counted in the commune and above, in none of its IRIS. The IRIS of the
//!    same last four digits is *not* used: the chef-lieu keeps its own IRIS numbers, so
//!    `CCCCC0101` is the chef-lieu's first IRIS, not the absorbed commune's;
//! 4. a commune split between several communes actuelles → `split` by their legal population
//!    (of today's communes: an approximation, said in the note);
//! 5. otherwise the code is **unmapped**: a warning at its file and line, and its figures are
//!    counted apart ([`Harmonised::unmapped`]), never dropped silently.
//!
//! A **commune code** follows rules 1, 3 (to the commune nouvelle) and 4. Codes of other levels
//! (QPV, EPCI) are not harmonised.
//!
//! # Figures ([`Passage::harmonise`])
//!
//! Counts are multiplied by the weight and summed on each target: merged zones sum, split zones
//! share out, and totals are preserved: Σ of the published values = Σ of the harmonised values,
//! plus the known parts of harmonised cells left masked or missing, plus the unmapped values. A target
//! with a masked part is masked; with a missing part, missing (a sum with an unknown part is
//! unknown). Level values (medians, rates) are never summed: one-to-one they pass, split they are
//! copied onto each part (`imputed`), merged they are missing. Shares are recomputed from the
//! harmonised counts downstream, never averaged.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use fragnum_core::harmonised::{Derivation, HarmonisedCell, HarmonisedSeries, VariableKind};
use fragnum_core::{Cell, Level, Location, Zone, ZoneCode};
use serde::Deserialize;

use crate::census::code_columns;
use crate::number::is_count;
use crate::tabular::Tabular;
use crate::vintages::PublishedTable;
use crate::{IngestError, Report, Severity};

/// The zones of the target geography: its IRIS with their commune, and its communes.
#[derive(Debug, Clone, Default)]
pub struct TargetGeography {
    /// The year of the geography.
    pub year: u16,
    iris: BTreeMap<String, Zone>,
    communes: BTreeMap<String, Option<String>>,
    iris_of_commune: BTreeMap<String, Vec<String>>,
}

impl TargetGeography {
    /// An empty geography of `year` (for hand-made passages; see [`TargetGeography::read`]).
    pub fn new(year: u16) -> Self {
        TargetGeography { year, ..TargetGeography::default() }
    }

    /// Adds an IRIS (and its commune, the code's first five characters).
    ///
    /// ```
    /// use fragnum_ingest::passage::TargetGeography;
    /// let mut g = TargetGeography::new(2021);
    /// g.add_iris("381850101", Some("Jardin de Ville".into())).unwrap();
    /// assert!(g.has_iris("381850101") && g.has_commune("38185"));
    /// ```
    pub fn add_iris(&mut self, code: &str, name: Option<String>) -> Result<(), fragnum_core::CodeError> {
        let code = ZoneCode::new(Level::Iris, code)?;
        let commune = code.commune().unwrap_or_default().to_string();
        self.communes.entry(commune.clone()).or_insert(None);
        let list = self.iris_of_commune.entry(commune).or_default();
        if !list.iter().any(|c| c == code.as_str()) {
            list.push(code.as_str().to_string());
        }
        let key = code.as_str().to_string();
        self.iris.entry(key).or_insert_with(|| Zone { name, ..Zone::new(code) });
        Ok(())
    }

    /// Adds a commune, or names one already known.
    pub fn add_commune(&mut self, code: &str, name: Option<String>) -> Result<(), fragnum_core::CodeError> {
        let code = ZoneCode::new(Level::Commune, code)?;
        let entry = self.communes.entry(code.as_str().to_string()).or_insert(None);
        if entry.is_none() {
            *entry = name;
        }
        Ok(())
    }

    /// Reads the IRIS list of `year` (INSEE `reference_IRIS_geo<year>`: `CODE_IRIS`, `LIB_IRIS`,
    /// `TYP_IRIS`, `DEPCOM`, `LIBCOM`). A bad or repeated code is a fatal finding at its line.
    pub fn read(path: &Path, year: u16, report: &mut Report) -> Result<Self, IngestError> {
        let t = Tabular::read(path, None, report)?;
        let code_col = t.require(code_columns(Level::Iris))?;
        let name_col = t.find(&["LIB_IRIS", "LIBIRIS", "NOM_IRIS"]);
        let type_col = t.find(&["TYP_IRIS", "TYPE_IRIS"]);
        let commune_name_col = t.find(&["LIBCOM", "NOM_COM"]);
        let mut g = TargetGeography::new(year);
        let mut seen: BTreeMap<String, u64> = BTreeMap::new();
        for (line, fields) in &t.rows {
            let raw = Tabular::field(fields, code_col).trim();
            let get = |i: Option<usize>| i.map(|i| Tabular::field(fields, i).trim().to_string()).filter(|s| !s.is_empty());
            if let Some(&first_line) = seen.get(raw) {
                report.push_error(&IngestError::DuplicateCode {
                    location: Location::at(path, *line, code_col as u64 + 1),
                    code: raw.to_string(),
                    first_line,
                });
                continue;
            }
            if let Err(e) = g.add_iris(raw, get(name_col)) {
                report.push_error(&IngestError::BadCode { location: Location::at(path, *line, code_col as u64 + 1), source: e });
                continue;
            }
            seen.insert(raw.to_string(), *line);
            let commune = raw[..5].to_string();
            if let Some(zone) = g.iris.get_mut(raw) {
                zone.iris_type = get(type_col);
                zone.commune_name = get(commune_name_col);
            }
            if let Some(name) = get(commune_name_col) {
                let _ = g.add_commune(&commune, Some(name));
            }
        }
        if g.iris.is_empty() {
            report.push(Severity::Fatal, Location::file(path), format!("no IRIS read: the {year} target geography is empty"));
        }
        Ok(g)
    }

    /// True when `code` is an IRIS of the geography.
    pub fn has_iris(&self, code: &str) -> bool {
        self.iris.contains_key(code)
    }

    /// True when `code` is a commune of the geography.
    pub fn has_commune(&self, code: &str) -> bool {
        self.communes.contains_key(code)
    }

    /// The IRIS of a commune, in the order read.
    pub fn iris_of(&self, commune: &str) -> &[String] {
        self.iris_of_commune.get(commune).map_or(&[], Vec::as_slice)
    }

    /// Number of IRIS.
    pub fn iris_count(&self) -> usize {
        self.iris.len()
    }

    /// Every zone: the IRIS (with commune and commune name), then the communes, each in code order.
    pub fn zones(&self) -> Vec<Zone> {
        let mut out: Vec<Zone> = self.iris.values().cloned().collect();
        for (code, name) in &self.communes {
            if let Ok(c) = ZoneCode::new(Level::Commune, code) {
                out.push(Zone { name: name.clone(), ..Zone::new(c) });
            }
        }
        out
    }
}

/// Former communes and their successors, from the national commune list.
#[derive(Debug, Clone, Default)]
pub struct CommuneHistory {
    successors: BTreeMap<String, BTreeSet<String>>,
    population: BTreeMap<String, f64>,
}

/// One entry of `communes.json` (only the fields the passage reads).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct NationalCommune {
    code: String,
    #[serde(rename = "type")]
    kind: String,
    chef_lieu: Option<String>,
    #[serde(default)]
    anciens_codes: Vec<String>,
    population: Option<f64>,
}

impl CommuneHistory {
    /// No history (every commune code is taken as current).
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that the former commune `old` is now (part of) the commune `new`.
    pub fn add_successor(&mut self, old: &str, new: &str) {
        if old != new {
            self.successors.entry(old.to_string()).or_default().insert(new.to_string());
        }
    }

    /// Sets the legal population of a commune actuelle (splits between communes use it).
    pub fn set_population(&mut self, code: &str, population: f64) {
        self.population.insert(code.to_string(), population);
    }

    /// Number of former communes known.
    pub fn len(&self) -> usize {
        self.successors.len()
    }

    /// True when no former commune is known.
    pub fn is_empty(&self) -> bool {
        self.successors.is_empty()
    }

    /// Reads the national commune list (`communes.json` of `@etalab/decoupage-administratif`): the
    /// `chefLieu` of each `commune-deleguee` and `commune-associee`, the `anciensCodes` of each
    /// `commune-actuelle`, and the population of the communes actuelles.
    pub fn read(path: &Path) -> Result<Self, IngestError> {
        let text = std::fs::read_to_string(path).map_err(|e| IngestError::io(path, e))?;
        Self::parse(path, &text)
    }

    /// Parses the text of the national commune list read from `path`.
    ///
    /// ```
    /// use fragnum_ingest::passage::CommuneHistory;
    /// let json = r#"[{"code":"38479","type":"commune-actuelle","anciensCodes":["38016"],"population":2000},
    ///                {"code":"38016","type":"commune-deleguee","chefLieu":"38479"}]"#;
    /// let h = CommuneHistory::parse("communes.json".as_ref(), json).unwrap();
    /// assert_eq!(h.len(), 1);
    /// ```
    pub fn parse(path: &Path, text: &str) -> Result<Self, IngestError> {
        let entries: Vec<NationalCommune> = serde_json::from_str(text).map_err(|e| IngestError::Malformed {
            // serde_json counts columns from 0 when it has read nothing of the line yet.
            location: Location::at(path, e.line() as u64, e.column().max(1) as u64),
            message: format!("not a national commune list (a JSON array of {{code, type, chefLieu…}}): {e}"),
        })?;
        let mut h = CommuneHistory::new();
        for c in entries {
            match c.kind.as_str() {
                "commune-actuelle" => {
                    for old in &c.anciens_codes {
                        h.add_successor(old, &c.code);
                    }
                    if let Some(p) = c.population.filter(|p| p.is_finite() && *p >= 0.0) {
                        h.set_population(&c.code, p);
                    }
                }
                "commune-deleguee" | "commune-associee" => {
                    if let Some(parent) = &c.chef_lieu {
                        h.add_successor(&c.code, parent);
                    }
                }
                _ => {}
            }
        }
        Ok(h)
    }
}

/// Which rule of the passage applies to a code (see the module documentation).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RouteRule {
    /// The code is in the target geography.
    Same,
    /// One-to-one onto another code of the same commune (a renumbered IRIS).
    Recoded,
    /// Onto the commune nouvelle the code's commune merged into (its whole-commune IRIS, or the
    /// commune code for a commune table).
    CommuneNouvelle,
    /// Onto a commune as a whole, in none of its IRIS.
    CommunePart,
    /// Shared out between several target zones by population.
    Split,
}

impl RouteRule {
    /// The name written in the passage table.
    pub fn as_str(self) -> &'static str {
        match self {
            RouteRule::Same => "same",
            RouteRule::Recoded => "recoded",
            RouteRule::CommuneNouvelle => "commune_nouvelle",
            RouteRule::CommunePart => "commune_part",
            RouteRule::Split => "split",
        }
    }

    fn derivation(self, kind: VariableKind) -> Derivation {
        match (self, kind) {
            (RouteRule::Same, _) => Derivation::Published,
            (RouteRule::Recoded | RouteRule::CommuneNouvelle, _) => Derivation::Recoded,
            (RouteRule::CommunePart, _) => Derivation::CommunePart,
            (RouteRule::Split, VariableKind::Count) => Derivation::Allocated,
            (RouteRule::Split, VariableKind::Level) => Derivation::Imputed,
        }
    }
}

/// Where one code goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Target zones and weights (summing to 1).
    pub targets: Vec<(ZoneCode, f64)>,
    /// The rule applied.
    pub rule: RouteRule,
    /// Why, in a few words (empty for `same`).
    pub note: String,
}

/// One published code and where the passage took it, for the passage table.
#[derive(Debug, Clone, PartialEq)]
pub struct PassageLine {
    /// The file and line it was read on.
    pub location: Location,
    /// The code as published.
    pub code: ZoneCode,
    /// Its route, or why it has none.
    pub route: Result<Route, String>,
}

/// What [`Passage::harmonise`] produced.
#[derive(Debug, Clone, Default)]
pub struct Harmonised {
    /// The figures on the target geography.
    pub series: HarmonisedSeries,
    /// Every published code of every table read, with its route.
    pub lines: Vec<PassageLine>,
    /// Per variable, the sum of the count values of unmapped codes (left out of the series).
    pub unmapped: BTreeMap<String, f64>,
    /// Cells of the same zone, variable and vintage given by a later table too: the first table
    /// is kept (per variable, how many).
    pub duplicates: BTreeMap<String, usize>,
    /// Level values of several published zones landing on one target (left missing), per variable.
    pub uncombined_levels: BTreeMap<String, usize>,
    /// Variables of a table whose cells have no vintage (left out), with the file.
    pub without_vintage: Vec<(PathBuf, String)>,
}

/// The passage onto a target geography.
#[derive(Debug, Clone)]
pub struct Passage {
    geography: TargetGeography,
    history: CommuneHistory,
    population: BTreeMap<String, f64>,
}

/// Successive mergers followed at most this far (a commune merged twice is two steps).
const MAX_STEPS: usize = 8;

/// Accumulates the parts landing on one target zone, variable and vintage.
#[derive(Debug, Clone)]
struct Acc {
    kind: VariableKind,
    sum: f64,
    values: u32,
    masked: u32,
    missing: u32,
    parts: u32,
    derivation: Derivation,
    /// A level value's cell, while only one part has landed.
    level: Cell,
}

impl Acc {
    fn new(kind: VariableKind) -> Self {
        Acc { kind, sum: 0.0, values: 0, masked: 0, missing: 0, parts: 0, derivation: Derivation::Published, level: Cell::Missing }
    }

    fn add(&mut self, cell: Cell, weight: f64, derivation: Derivation) {
        self.parts += 1;
        self.derivation = self.derivation.max(derivation);
        match cell {
            Cell::Value(v) => {
                self.values += 1;
                self.sum += v * weight;
            }
            Cell::Masked => self.masked += 1,
            Cell::Missing => self.missing += 1,
        }
        if self.kind == VariableKind::Level {
            self.level = cell;
        }
    }

    /// The harmonised cell, and whether it is a level value of several zones left missing.
    fn finish(mut self) -> (Cell, Derivation, f64, bool) {
        if self.parts > 1 {
            self.derivation = self.derivation.max(Derivation::Merged);
        }
        match self.kind {
            VariableKind::Level if self.parts > 1 => (Cell::Missing, self.derivation, 0.0, true),
            VariableKind::Level => (self.level, self.derivation, 0.0, false),
            VariableKind::Count if self.masked > 0 => (Cell::Masked, self.derivation, self.sum, false),
            VariableKind::Count if self.missing > 0 => (Cell::Missing, self.derivation, self.sum, false),
            VariableKind::Count if self.values > 0 => (Cell::Value(self.sum), self.derivation, 0.0, false),
            VariableKind::Count => (Cell::Missing, self.derivation, 0.0, false),
        }
    }
}

impl Passage {
    /// The passage onto `geography`. `history` gives the successors of former communes;
    /// `population` the population of target zones (IRIS or communes, by code), used to share out
    /// a split IRIS (without it, a split IRIS goes to its commune as a whole).
    pub fn new(geography: TargetGeography, history: CommuneHistory, population: BTreeMap<String, f64>) -> Self {
        Passage { geography, history, population }
    }

    /// The target geography.
    pub fn geography(&self) -> &TargetGeography {
        &self.geography
    }

    /// The communes of the target geography that the former commune `code` became, following
    /// successive mergers; `Err` says why there is none.
    fn successors(&self, code: &str) -> Result<Vec<String>, String> {
        let year = self.geography.year;
        let mut found = BTreeSet::new();
        let mut dead_ends = BTreeSet::new();
        let mut frontier = vec![code.to_string()];
        let mut seen: BTreeSet<String> = frontier.iter().cloned().collect();
        for _ in 0..MAX_STEPS {
            let mut next = Vec::new();
            for c in &frontier {
                match self.history.successors.get(c) {
                    Some(list) => {
                        for s in list {
                            if self.geography.has_commune(s) {
                                found.insert(s.clone());
                            } else if seen.insert(s.clone()) {
                                next.push(s.clone());
                            }
                        }
                    }
                    None if c != code => {
                        dead_ends.insert(c.clone());
                    }
                    None => {}
                }
            }
            if next.is_empty() {
                break;
            }
            frontier = next;
        }
        if !found.is_empty() {
            return Ok(found.into_iter().collect());
        }
        if dead_ends.is_empty() {
            Err(format!("commune {code} is neither in the {year} geography nor a former commune of the national commune list"))
        } else {
            Err(format!(
                "commune {code} became {}, not in the {year} geography (a change after {year}?)",
                dead_ends.into_iter().collect::<Vec<_>>().join(", ")
            ))
        }
    }

    /// Shares between `candidates` by their population; `None` when one of them has none.
    fn by_population(candidates: &[(ZoneCode, &str)], population: &BTreeMap<String, f64>) -> Option<Vec<(ZoneCode, f64)>> {
        let pops: Option<Vec<f64>> = candidates.iter().map(|(_, key)| population.get(*key).copied()).collect();
        let pops = pops?;
        let total: f64 = pops.iter().sum();
        (total > 0.0).then(|| candidates.iter().zip(&pops).map(|((c, _), p)| (c.clone(), p / total)).collect())
    }

    /// The whole-commune zone of commune `c`: its IRIS `c0000` when it is not split into IRIS
    /// (for IRIS codes), else the commune itself.
    fn whole_commune(&self, c: &str, level: Level) -> (Option<ZoneCode>, bool) {
        let whole = format!("{c}0000");
        if level == Level::Iris && self.geography.has_iris(&whole) {
            (ZoneCode::new(Level::Iris, &whole).ok(), true)
        } else {
            (ZoneCode::new(Level::Commune, c).ok(), false)
        }
    }

    /// Where `code` goes. `published` are the codes the same table publishes (a split IRIS
    /// goes to the target IRIS of its commune that the table does not publish itself).
    ///
    /// ```
    /// use std::collections::{BTreeMap, BTreeSet};
    /// use fragnum_core::{Level, ZoneCode};
    /// use fragnum_ingest::passage::{CommuneHistory, Passage, RouteRule, TargetGeography};
    /// let mut g = TargetGeography::new(2021);
    /// g.add_iris("384790000", None).unwrap();
    /// let mut h = CommuneHistory::new();
    /// h.add_successor("38016", "38479");
    /// let p = Passage::new(g, h, BTreeMap::new());
    /// let r = p.route(&ZoneCode::new(Level::Iris, "380160000").unwrap(), &BTreeSet::new()).unwrap();
    /// assert_eq!((r.rule, r.targets[0].0.as_str()), (RouteRule::CommuneNouvelle, "384790000"));
    /// ```
    pub fn route(&self, code: &ZoneCode, published: &BTreeSet<String>) -> Result<Route, String> {
        let year = self.geography.year;
        let level = code.level();
        let same = || Route { targets: vec![(code.clone(), 1.0)], rule: RouteRule::Same, note: String::new() };
        let commune = match level {
            Level::Iris if self.geography.has_iris(code.as_str()) => return Ok(same()),
            Level::Commune if self.geography.has_commune(code.as_str()) => return Ok(same()),
            Level::Iris | Level::Commune => code.commune().unwrap_or_default().to_string(),
            other => return Err(format!("{other} codes are not harmonised (only IRIS and communes)")),
        };
        if level == Level::Iris && self.geography.has_commune(&commune) {
            let all = self.geography.iris_of(&commune);
            let fresh: Vec<&String> = all.iter().filter(|c| !published.contains(*c)).collect();
            let candidates: Vec<&String> = if fresh.is_empty() { all.iter().collect() } else { fresh };
            let codes: Vec<(ZoneCode, &str)> =
                candidates.iter().filter_map(|c| Some((ZoneCode::new(Level::Iris, c).ok()?, c.as_str()))).collect();
            return match codes.as_slice() {
                [] => Err(format!("commune {commune} has no IRIS in the {year} geography")),
                [(one, _)] => Ok(Route {
                    targets: vec![(one.clone(), 1.0)],
                    rule: RouteRule::Recoded,
                    note: format!("IRIS of commune {commune} not in the {year} list; its only new IRIS is {one}"),
                }),
                several => match Self::by_population(several, &self.population) {
                    Some(targets) => Ok(Route {
                        note: format!(
                            "IRIS of commune {commune} not in the {year} list, split between {} new IRIS by their population",
                            targets.len()
                        ),
                        targets,
                        rule: RouteRule::Split,
                    }),
                    None => Ok(Route {
                        targets: ZoneCode::new(Level::Commune, &commune).into_iter().map(|c| (c, 1.0)).collect(),
                        rule: RouteRule::CommunePart,
                        note: format!(
                            "IRIS of commune {commune} not in the {year} list, split between {} IRIS without a population for each: counted in commune {commune} as a whole",
                            several.len()
                        ),
                    }),
                },
            };
        }
        let successors = self.successors(&commune)?;
        if let [c] = successors.as_slice() {
            let (target, exact) = self.whole_commune(c, level);
            let target = target.ok_or_else(|| format!("commune {c} has no valid code"))?;
            let (rule, note) = match (level, exact) {
                (Level::Commune, _) => (RouteRule::CommuneNouvelle, format!("commune {commune} merged into {c}")),
                (_, true) => (RouteRule::CommuneNouvelle, format!("commune {commune} merged into {c}, not split into IRIS")),
                (_, false) => (
                    RouteRule::CommunePart,
                    format!("commune {commune} merged into {c}, which is split into IRIS: counted in commune {c} as a whole"),
                ),
            };
            return Ok(Route { targets: vec![(target, 1.0)], rule, note });
        }
        let wholes: Vec<(ZoneCode, &str)> = successors.iter().filter_map(|c| Some((self.whole_commune(c, level).0?, c.as_str()))).collect();
        match Self::by_population(&wholes, &self.history.population) {
            Some(targets) => Ok(Route {
                targets,
                rule: RouteRule::Split,
                note: format!(
                    "commune {commune} split between {}, by their legal population of today (an approximation)",
                    successors.join(", ")
                ),
            }),
            None => Err(format!("commune {commune} was split between {} and one of them has no population", successors.join(", "))),
        }
    }

    /// Carries the `variables` of every published table onto the target geography. Every code
    /// without a route is a warning at its file and line in `report`; their count values are
    /// summed in [`Harmonised::unmapped`]. When two tables give the same zone, variable and
    /// vintage, the first one (config order) is kept.
    pub fn harmonise(&self, tables: &[PublishedTable], variables: &BTreeSet<String>, report: &mut Report) -> Harmonised {
        let year = self.geography.year;
        let mut out = Harmonised::default();
        out.series.geography_year = year;
        out.series.zones = self.geography.zones();
        let mut taken: BTreeSet<(ZoneCode, String, u16)> = BTreeSet::new();
        for t in tables {
            let published: BTreeSet<String> = t.table.zones().iter().map(|z| z.code.as_str().to_string()).collect();
            let vars: Vec<(&String, &fragnum_core::Variable)> =
                t.table.variables().iter().filter(|(name, _)| variables.contains(*name)).collect();
            for (name, var) in &vars {
                if var.vintages.iter().zip(&var.values).any(|(v, c)| v.is_none() && *c != Cell::Missing) {
                    out.without_vintage.push((t.path.clone(), (*name).clone()));
                }
            }
            let mut acc: BTreeMap<(ZoneCode, String, u16), Acc> = BTreeMap::new();
            for (row, zone) in t.table.zones().iter().enumerate() {
                let line = t.lines.get(row).copied().unwrap_or(0);
                let location = if line > 0 { Location::line(&t.path, line) } else { Location::file(&t.path) };
                let route = self.route(&zone.code, &published);
                match &route {
                    Err(why) => {
                        let mut held = Vec::new();
                        for (name, var) in &vars {
                            if let Cell::Value(v) = var.values[row]
                                && is_count(name)
                            {
                                *out.unmapped.entry((*name).clone()).or_default() += v;
                                held.push(format!("{name} {}", crate::census::figure(v)));
                            }
                        }
                        report.push(
                            Severity::Warning,
                            location.clone(),
                            format!(
                                "zone {} cannot be carried onto the {year} geography: {why}; its figures are left out of the series{}",
                                zone.code,
                                if held.is_empty() { String::new() } else { format!(" ({})", held.join(", ")) }
                            ),
                        );
                    }
                    Ok(r) => {
                        for (name, var) in &vars {
                            let Some(vintage) = var.vintages[row] else { continue };
                            let kind = if is_count(name) { VariableKind::Count } else { VariableKind::Level };
                            for (target, weight) in &r.targets {
                                acc.entry((target.clone(), (*name).clone(), vintage)).or_insert_with(|| Acc::new(kind)).add(
                                    var.values[row],
                                    *weight,
                                    r.rule.derivation(kind),
                                );
                            }
                        }
                    }
                }
                out.lines.push(PassageLine { location, code: zone.code.clone(), route });
            }
            for ((zone, variable, vintage), a) in acc {
                let (kind, parts, masked_parts, missing_parts) = (a.kind, a.parts, a.masked, a.missing);
                let (cell, derivation, known_part, uncombined) = a.finish();
                if uncombined {
                    *out.uncombined_levels.entry(variable.clone()).or_default() += 1;
                }
                let key = (zone, variable, vintage);
                if taken.contains(&key) {
                    *out.duplicates.entry(key.1).or_default() += 1;
                    continue;
                }
                taken.insert(key.clone());
                let (zone, variable, vintage) = key;
                out.series.cells.push(HarmonisedCell {
                    zone,
                    variable,
                    vintage,
                    cell,
                    kind,
                    derivation,
                    parts,
                    masked_parts,
                    missing_parts,
                    known_part,
                    source: t.source.clone(),
                });
            }
        }
        for (variable, n) in &out.duplicates {
            report.push(
                Severity::Note,
                Location::file(tables.first().map_or_else(PathBuf::new, |t| t.path.clone())),
                format!("`{variable}`: {n} zone(s) and vintage(s) given by two tables; the table listed first is kept"),
            );
        }
        out
    }
}

#[cfg(test)]
#[allow(clippy::many_single_char_names, clippy::float_cmp)] // short names for hand-made figures
mod tests {
    use super::*;

    fn iris(c: &str) -> ZoneCode {
        ZoneCode::new(Level::Iris, c).unwrap()
    }

    /// Target 2021: commune A = 38001 split into IRIS 0101/0102/0103 (0102 new, from an old 0104
    /// split in two with 0103), commune nouvelle 38479 not split (0000) absorbing 38016 and
    /// 38121, commune nouvelle 73003 split into IRIS absorbing 73045, and 38500 renumbered.
    fn passage(with_population: bool) -> Passage {
        let mut g = TargetGeography::new(2021);
        for c in ["380010101", "380010102", "380010103", "384790000", "730030101", "730030102", "385000201"] {
            g.add_iris(c, None).unwrap();
        }
        let mut h = CommuneHistory::new();
        h.add_successor("38016", "38479");
        h.add_successor("38121", "38479");
        h.add_successor("73045", "73003");
        let mut pop = BTreeMap::new();
        if with_population {
            pop.insert("380010101".to_string(), 600.0);
            pop.insert("380010102".to_string(), 300.0);
            pop.insert("380010103".to_string(), 100.0);
        }
        Passage::new(g, h, pop)
    }

    fn table(rows: &[(&str, &[(&str, Cell)])], vintage: u16) -> PublishedTable {
        let mut t = fragnum_core::ZoneTable::new();
        for (code, cells) in rows {
            let r = t.upsert_zone(Zone::new(iris(code)));
            for (v, c) in *cells {
                t.set(r, v, *c, Some(vintage));
            }
        }
        let lines = (2..).take(t.len()).collect();
        PublishedTable { path: PathBuf::from("caf.csv"), source: "CAF".into(), level: Level::Iris, table: t, lines }
    }

    fn vars(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| (*s).to_string()).collect()
    }

    fn find<'a>(h: &'a Harmonised, code: &str, var: &str) -> &'a HarmonisedCell {
        h.series.cells.iter().find(|c| c.zone.as_str() == code && c.variable == var).unwrap()
    }

    #[test]
    fn merge_split_rename_and_a_code_that_disappears() {
        let p = passage(true);
        let published: BTreeSet<String> = ["380010101", "380010104"].iter().map(|s| (*s).to_string()).collect();
        // Merge: two former communes into the non-split commune nouvelle.
        let r = p.route(&iris("380160000"), &published).unwrap();
        assert_eq!((r.rule, r.targets.clone()), (RouteRule::CommuneNouvelle, vec![(iris("384790000"), 1.0)]));
        // Split by population: 0104 → 0102 (3/4) and 0103 (1/4), 0101 being published already.
        let r = p.route(&iris("380010104"), &published).unwrap();
        assert_eq!(r.rule, RouteRule::Split);
        assert_eq!(r.targets, vec![(iris("380010102"), 0.75), (iris("380010103"), 0.25)]);
        // Rename: the only IRIS of commune 38500 is now 0201.
        let r = p.route(&iris("385000101"), &published).unwrap();
        assert_eq!((r.rule, r.targets[0].0.as_str()), (RouteRule::Recoded, "385000201"));
        // Merged into a commune split into IRIS: the commune as a whole, not IRIS 0101 of 73003.
        let r = p.route(&iris("730450101"), &published).unwrap();
        assert_eq!((r.rule, r.targets[0].0.clone()), (RouteRule::CommunePart, ZoneCode::new(Level::Commune, "73003").unwrap()));
        // A code that disappears: unknown commune.
        let e = p.route(&iris("389990101"), &published).unwrap_err();
        assert!(e.contains("neither in the 2021 geography"), "{e}");
        // Without population the split goes to the commune as a whole, and says so.
        let r = passage(false).route(&iris("380010104"), &published).unwrap();
        assert_eq!(r.rule, RouteRule::CommunePart);
        assert!(r.note.contains("without a population"), "{}", r.note);
    }

    #[test]
    fn totals_are_preserved_for_every_count() {
        let p = passage(true);
        let value = Cell::Value;
        let t = table(
            &[
                ("380010101", &[("caf_allocataires", value(100.0)), ("caf_rsa_socle", value(20.0))]),
                ("380010104", &[("caf_allocataires", value(80.0)), ("caf_rsa_socle", value(12.0))]),
                ("384790000", &[("caf_allocataires", value(30.0)), ("caf_rsa_socle", value(3.0))]),
                ("380160000", &[("caf_allocataires", value(7.0)), ("caf_rsa_socle", value(1.0))]),
                ("381210000", &[("caf_allocataires", value(5.0)), ("caf_rsa_socle", value(0.0))]),
                ("730450101", &[("caf_allocataires", value(40.0)), ("caf_rsa_socle", value(4.0))]),
                ("385000101", &[("caf_allocataires", value(9.0)), ("caf_rsa_socle", value(2.0))]),
                ("389990101", &[("caf_allocataires", value(11.0)), ("caf_rsa_socle", value(5.0))]),
            ],
            2016,
        );
        let mut report = Report::default();
        let h = p.harmonise(std::slice::from_ref(&t), &vars(&["caf_allocataires", "caf_rsa_socle"]), &mut report);
        for var in ["caf_allocataires", "caf_rsa_socle"] {
            let before: f64 = t.table.variable(var).unwrap().values.iter().filter_map(|c| c.value()).sum();
            let after: f64 = h.series.cells.iter().filter(|c| c.variable == var).map(|c| c.cell.value().unwrap_or(c.known_part)).sum();
            assert!((before - after - h.unmapped[var]).abs() < 1e-9, "{var}: {before} vs {after} + {}", h.unmapped[var]);
        }
        assert_eq!(h.unmapped["caf_allocataires"], 11.0);
        let merged = find(&h, "384790000", "caf_allocataires");
        assert_eq!((merged.cell, merged.derivation, merged.parts), (Cell::Value(42.0), Derivation::Merged, 3));
        let split = find(&h, "380010102", "caf_allocataires");
        assert_eq!((split.cell, split.derivation), (Cell::Value(60.0), Derivation::Allocated));
        assert_eq!(find(&h, "73003", "caf_allocataires").derivation, Derivation::CommunePart);
        assert_eq!(find(&h, "385000201", "caf_rsa_socle").derivation, Derivation::Recoded);
        // The code that disappears is a warning at its line, with the figures held.
        let w: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0].starts_with("caf.csv:9: warning: zone 389990101 cannot be carried"), "{}", w[0]);
        assert!(w[0].contains("caf_allocataires 11"), "{}", w[0]);
    }

    #[test]
    fn masked_and_missing_parts_are_not_zero_and_levels_are_not_summed() {
        let passage = passage(true);
        let t = table(
            &[
                ("384790000", &[("caf_rsa_socle", Cell::Value(8.0)), ("disp_med", Cell::Value(21_000.0))]),
                ("380160000", &[("caf_rsa_socle", Cell::Masked), ("disp_med", Cell::Value(19_000.0))]),
                ("380010104", &[("caf_rsa_socle", Cell::Missing), ("disp_med", Cell::Value(18_000.0))]),
                ("385000101", &[("caf_rsa_socle", Cell::Masked), ("disp_med", Cell::Masked)]),
            ],
            2019,
        );
        let mut report = Report::default();
        let h = passage.harmonise(&[t], &vars(&["caf_rsa_socle", "disp_med"]), &mut report);
        let merged = find(&h, "384790000", "caf_rsa_socle");
        assert_eq!((merged.cell, merged.masked_parts, merged.known_part), (Cell::Masked, 1, 8.0));
        // A level value of two merged zones is not combined.
        assert_eq!(find(&h, "384790000", "disp_med").cell, Cell::Missing);
        assert_eq!(h.uncombined_levels["disp_med"], 1);
        // A split copies the level value (imputed) and keeps a missing count missing.
        let part = find(&h, "380010103", "disp_med");
        assert_eq!((part.cell, part.derivation), (Cell::Value(18_000.0), Derivation::Imputed));
        assert_eq!(find(&h, "380010103", "caf_rsa_socle").cell, Cell::Missing);
        // Masked stays masked through a rename.
        assert_eq!(find(&h, "385000201", "caf_rsa_socle").cell, Cell::Masked);
        assert_eq!(find(&h, "385000201", "disp_med").cell, Cell::Masked);
    }

    #[test]
    fn successive_mergers_are_followed_and_later_changes_said() {
        let mut g = TargetGeography::new(2021);
        g.add_iris("730030000", None).unwrap();
        let mut h = CommuneHistory::new();
        h.add_successor("73001", "73002");
        h.add_successor("73002", "73003");
        h.add_successor("73009", "73010");
        let p = Passage::new(g, h, BTreeMap::new());
        let r = p.route(&ZoneCode::new(Level::Commune, "73001").unwrap(), &BTreeSet::new()).unwrap();
        assert_eq!(r.targets[0].0.as_str(), "73003");
        let e = p.route(&ZoneCode::new(Level::Commune, "73009").unwrap(), &BTreeSet::new()).unwrap_err();
        assert!(e.contains("became 73010, not in the 2021 geography"), "{e}");
    }

    #[test]
    fn national_list_and_reference_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ref.csv");
        std::fs::write(
            &path,
            "\u{feff}CODE_IRIS;LIB_IRIS;TYP_IRIS;DEPCOM;LIBCOM\n384790000;Porte-des-Bonnevaux;Z;38479;Porte-des-Bonnevaux\n3847900;x;Z;38479;x\n384790000;y;Z;38479;y\n",
        )
        .unwrap();
        let mut report = Report::default();
        let g = TargetGeography::read(&path, 2021, &mut report).unwrap();
        assert_eq!(g.iris_count(), 1);
        assert!(report.problems[0].to_string().contains("ref.csv:3:1"), "{:?}", report.problems);
        assert!(
            report.problems[1].to_string().contains("ref.csv:4:1: error: duplicate zone code `384790000` (first seen on line 2)"),
            "{:?}",
            report.problems
        );
        let json = r#"[{"code":"38479","type":"commune-actuelle","anciensCodes":["38016","38121"],"population":2713},
                       {"code":"38016","type":"commune-deleguee","chefLieu":"38479"},
                       {"code":"38479","type":"commune-deleguee","chefLieu":"38479"}]"#;
        let h = CommuneHistory::parse(Path::new("communes.json"), json).unwrap();
        assert_eq!(h.len(), 2);
        let bad = CommuneHistory::parse(Path::new("communes.json"), "{\"code\": 1}").unwrap_err();
        assert!(bad.to_string().starts_with("communes.json:1:1"), "{bad}");
    }
}
