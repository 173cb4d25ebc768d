//! Figures of several vintages carried onto one target geography, with how each got there.
//!
//! Zone codes change between vintages: communes merge into communes nouvelles, IRIS are split,
//! merged or renumbered. The passage table (built by fragnum-ingest from the reference lists)
//! carries every published figure onto the codes of one year; each [`HarmonisedCell`] says
//! which rule brought it there and how many published cells are behind it, so that the series
//! computed from them (fragnum-indices) can say when a change is not to be trusted.

use crate::{Cell, Zone, ZoneCode};

/// Whether a variable adds up over zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VariableKind {
    /// A count (people, households, allocataires): merged zones sum, split zones share it out.
    Count,
    /// A level value (a median, a rate in percent): never summed; a merged zone has none.
    Level,
}

impl VariableKind {
    /// The name written in tables (`count`, `level`).
    pub fn as_str(self) -> &'static str {
        match self {
            VariableKind::Count => "count",
            VariableKind::Level => "level",
        }
    }
}

/// How a harmonised cell was obtained from the published ones, from the most direct to the
/// least. When several published cells land on one target, the least direct one names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Derivation {
    /// Published under the same code as the target geography's.
    Published,
    /// Published under another code that maps one-to-one onto this one (a renumbered IRIS, an
    /// IRIS of a commune merged into a commune nouvelle that kept its whole-commune IRIS).
    Recoded,
    /// The sum of several published zones (communes merged into a commune nouvelle).
    Merged,
    /// Part of a zone of the target geography that cannot be located in one of its IRIS: an IRIS
    /// of a commune merged into an IRIS-split commune nouvelle, counted in that commune only.
    CommunePart,
    /// A share of a published zone split between several target zones, allocated by population.
    Allocated,
    /// A level value (median, rate) of a split zone, copied onto each of its parts: an estimate.
    Imputed,
}

impl Derivation {
    /// The name written in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Derivation::Published => "published",
            Derivation::Recoded => "recoded",
            Derivation::Merged => "merged",
            Derivation::CommunePart => "commune_part",
            Derivation::Allocated => "allocated",
            Derivation::Imputed => "imputed",
        }
    }

    /// True when the figure is an estimate of the passage (allocated by population, or copied).
    pub fn is_estimate(self) -> bool {
        matches!(self, Derivation::Allocated | Derivation::Imputed)
    }
}

/// One figure of one vintage on the target geography.
#[derive(Debug, Clone, PartialEq)]
pub struct HarmonisedCell {
    /// The target zone: an IRIS of the target geography, or a commune for [`Derivation::CommunePart`]
    /// and for tables published by commune.
    pub zone: ZoneCode,
    /// The vintage-free variable name (`caf_rsa_socle`).
    pub variable: String,
    /// The vintage the figure was published for.
    pub vintage: u16,
    /// The figure: a value, masked when any published part was masked, missing when a part
    /// was missing (a sum with an unknown part is unknown).
    pub cell: Cell,
    /// Count or level value.
    pub kind: VariableKind,
    /// The least direct rule among its parts.
    pub derivation: Derivation,
    /// Published cells behind it.
    pub parts: u32,
    /// Of which masked (secret statistique).
    pub masked_parts: u32,
    /// Of which missing.
    pub missing_parts: u32,
    /// For a count that is masked or missing: the sum of the parts that had a value, kept so that
    /// totals can be accounted for (never shown as the zone's figure). Zero otherwise.
    pub known_part: f64,
    /// The source citation of the table it was read from.
    pub source: String,
}

/// Every harmonised figure of a run, on the geography of one year.
#[derive(Debug, Clone, Default)]
pub struct HarmonisedSeries {
    /// The year of the target geography (`2021`).
    pub geography_year: u16,
    /// The zones of the target geography: its IRIS (with their commune) and its communes.
    pub zones: Vec<Zone>,
    /// The figures, table by table in config order; at most one per zone, variable and vintage.
    pub cells: Vec<HarmonisedCell>,
}

impl HarmonisedSeries {
    /// The vintages at which `variable` has at least one cell, ascending.
    ///
    /// ```
    /// use fragnum_core::harmonised::HarmonisedSeries;
    /// assert!(HarmonisedSeries::default().vintages("caf_allocataires").is_empty());
    /// ```
    pub fn vintages(&self, variable: &str) -> Vec<u16> {
        let mut v: Vec<u16> = self.cells.iter().filter(|c| c.variable == variable).map(|c| c.vintage).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
