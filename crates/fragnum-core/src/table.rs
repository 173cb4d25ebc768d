//! The zone table: one row per zone, one column per vintage-free variable.
//!
//! Each cell keeps the vintage (census or income year) it was published for, because real
//! inputs mix vintages (RP 2016 ages, Filosofi 2020 incomes, CAF 2020 benefits).

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use thiserror::Error;

use crate::{Cell, Level, ZoneCode};

/// Errors raised by zone-table operations.
#[derive(Debug, Error, PartialEq)]
pub enum ZoneTableError {
    /// The code is not in the table.
    #[error("zone `{0}` is not in the zone table")]
    UnknownZone(String),
}

/// Identity of one zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Zone {
    /// The zone code and level.
    pub code: ZoneCode,
    /// Its name (`LIBIRIS`, `LIBGEO`…), when a source gave one.
    pub name: Option<String>,
    /// The commune code (for IRIS, the first 5 characters; for QPV, the main commune when known).
    pub commune: Option<String>,
    /// The commune name, when a source gave one.
    pub commune_name: Option<String>,
    /// INSEE IRIS type (`H` habitat, `A` activity, `D` miscellaneous, `Z` commune not split).
    pub iris_type: Option<String>,
    /// The EPCI (SIREN) the zone belongs to, when a source gave it.
    pub epci: Option<String>,
    /// The EPCI name.
    pub epci_name: Option<String>,
}

impl Zone {
    /// A zone with only its code; the commune is derived from the code where the level allows.
    pub fn new(code: ZoneCode) -> Self {
        let commune = code.commune().map(str::to_string);
        Zone { code, name: None, commune, commune_name: None, iris_type: None, epci: None, epci_name: None }
    }

    /// Fills fields still unknown from `other` (first source to name a zone wins).
    fn merge(&mut self, other: Zone) {
        self.name = self.name.take().or(other.name);
        self.commune = self.commune.take().or(other.commune);
        self.commune_name = self.commune_name.take().or(other.commune_name);
        self.iris_type = self.iris_type.take().or(other.iris_type);
        self.epci = self.epci.take().or(other.epci);
        self.epci_name = self.epci_name.take().or(other.epci_name);
    }
}

/// One variable over all zones of the table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variable {
    /// One cell per zone, in zone order.
    pub values: Vec<Cell>,
    /// The vintage (year) of each cell, when known.
    pub vintages: Vec<Option<u16>>,
}

impl Variable {
    /// Number of zones with a number.
    pub fn count_values(&self) -> usize {
        self.values.iter().filter(|c| c.is_value()).count()
    }

    /// Number of masked (secret statistique) cells.
    pub fn count_masked(&self) -> usize {
        self.values.iter().filter(|c| matches!(c, Cell::Masked)).count()
    }
}

/// The table every stage reads: zones and their variables.
#[derive(Debug, Clone, Default)]
pub struct ZoneTable {
    zones: Vec<Zone>,
    index: HashMap<ZoneCode, usize>,
    variables: BTreeMap<String, Variable>,
}

impl ZoneTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `zone`, or completes the row that already has its code. Returns the row index.
    ///
    /// ```
    /// use fragnum_core::{Level, Zone, ZoneCode, ZoneTable};
    /// let mut t = ZoneTable::new();
    /// let code = ZoneCode::new(Level::Commune, "38185").unwrap();
    /// let a = t.upsert_zone(Zone::new(code.clone()));
    /// let b = t.upsert_zone(Zone { name: Some("Grenoble".into()), ..Zone::new(code) });
    /// assert_eq!(a, b);
    /// assert_eq!(t.zones()[a].name.as_deref(), Some("Grenoble"));
    /// ```
    pub fn upsert_zone(&mut self, zone: Zone) -> usize {
        if let Some(&i) = self.index.get(&zone.code) {
            self.zones[i].merge(zone);
            return i;
        }
        let i = self.zones.len();
        self.index.insert(zone.code.clone(), i);
        self.zones.push(zone);
        for var in self.variables.values_mut() {
            var.values.push(Cell::Missing);
            var.vintages.push(None);
        }
        i
    }

    /// Mutable access to one zone's identity (names, commune, EPCI). The code cannot change.
    pub fn zone_mut(&mut self, row: usize) -> Option<&mut Zone> {
        self.zones.get_mut(row)
    }

    /// Sets one cell. When the cell already holds a value, the newer vintage wins; at equal
    /// vintage a number replaces a missing or masked cell. Returns true when the cell changed.
    pub fn set(&mut self, row: usize, variable: &str, cell: Cell, vintage: Option<u16>) -> bool {
        let n = self.zones.len();
        // No allocation of the name per cell: only a new variable is inserted.
        if !self.variables.contains_key(variable) {
            self.variables.insert(variable.to_string(), Variable { values: vec![Cell::Missing; n], vintages: vec![None; n] });
        }
        let Some(var) = self.variables.get_mut(variable) else { return false };
        let (old, old_vintage) = (var.values[row], var.vintages[row]);
        let replace = match (old, cell) {
            (Cell::Missing, _) => true,
            _ if vintage > old_vintage => true,
            _ if vintage == old_vintage => !old.is_value() && cell.is_value(),
            _ => false,
        };
        if replace {
            var.values[row] = cell;
            var.vintages[row] = vintage;
        }
        replace
    }

    /// Sets one cell whatever it held, leaving the rule of [`set`](Self::set) aside (a config
    /// saying that the table read last wins). Returns false when `row` is not in the table.
    pub fn replace(&mut self, row: usize, variable: &str, cell: Cell, vintage: Option<u16>) -> bool {
        let n = self.zones.len();
        if row >= n {
            return false;
        }
        let var = self
            .variables
            .entry(variable.to_string())
            .or_insert_with(|| Variable { values: vec![Cell::Missing; n], vintages: vec![None; n] });
        var.values[row] = cell;
        var.vintages[row] = vintage;
        true
    }

    /// The cell of `variable` for the zone `code` (missing when either is unknown).
    pub fn get(&self, code: &ZoneCode, variable: &str) -> Cell {
        match (self.index.get(code), self.variables.get(variable)) {
            (Some(&row), Some(var)) => var.values[row],
            _ => Cell::Missing,
        }
    }

    /// The row of a zone.
    pub fn row(&self, code: &ZoneCode) -> Result<usize, ZoneTableError> {
        self.index.get(code).copied().ok_or_else(|| ZoneTableError::UnknownZone(code.to_string()))
    }

    /// Finds the row of a code given as text at any level.
    pub fn find(&self, code: &str) -> Option<usize> {
        self.zones.iter().position(|z| z.code.as_str() == code)
    }

    /// All zones, in insertion order.
    pub fn zones(&self) -> &[Zone] {
        &self.zones
    }

    /// Zones of one level, with their row index.
    pub fn zones_at(&self, level: Level) -> impl Iterator<Item = (usize, &Zone)> {
        self.zones.iter().enumerate().filter(move |(_, z)| z.code.level() == level)
    }

    /// All variables by name.
    pub fn variables(&self) -> &BTreeMap<String, Variable> {
        &self.variables
    }

    /// One variable.
    pub fn variable(&self, name: &str) -> Option<&Variable> {
        self.variables.get(name)
    }

    /// Number of zones.
    pub fn len(&self) -> usize {
        self.zones.len()
    }

    /// True when there is no zone.
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    /// Keeps the zones for which `keep` is true, with their cells; returns how many were removed.
    ///
    /// ```
    /// use fragnum_core::{Cell, Level, Zone, ZoneCode, ZoneTable};
    /// let mut t = ZoneTable::new();
    /// for c in ["38185", "73065"] {
    ///     let r = t.upsert_zone(Zone::new(ZoneCode::new(Level::Commune, c).unwrap()));
    ///     t.set(r, "pop", Cell::Value(1.0), None);
    /// }
    /// assert_eq!(t.retain(|z| z.code.as_str().starts_with("73")), 1);
    /// assert_eq!(t.len(), 1);
    /// assert_eq!(t.variable("pop").unwrap().values.len(), 1);
    /// ```
    pub fn retain(&mut self, keep: impl Fn(&Zone) -> bool) -> usize {
        let kept: Vec<bool> = self.zones.iter().map(&keep).collect();
        let before = self.zones.len();
        let mut i = 0;
        self.zones.retain(|_| {
            i += 1;
            kept[i - 1]
        });
        for var in self.variables.values_mut() {
            let mut i = 0;
            var.values.retain(|_| {
                i += 1;
                kept[i - 1]
            });
            let mut i = 0;
            var.vintages.retain(|_| {
                i += 1;
                kept[i - 1]
            });
        }
        self.index = self.zones.iter().enumerate().map(|(i, z)| (z.code.clone(), i)).collect();
        before - self.zones.len()
    }

    /// Sorts rows by level then code, so outputs are deterministic whatever the input order.
    pub fn sort(&mut self) {
        // Zones are moved, not cloned (a million zones would briefly be held twice).
        let mut rows: Vec<(usize, Zone)> = std::mem::take(&mut self.zones).into_iter().enumerate().collect();
        rows.sort_by(|a, b| a.1.code.cmp(&b.1.code));
        let order: Vec<usize> = rows.iter().map(|(i, _)| *i).collect();
        self.zones = rows.into_iter().map(|(_, z)| z).collect();
        for var in self.variables.values_mut() {
            var.values = order.iter().map(|&i| var.values[i]).collect();
            var.vintages = order.iter().map(|&i| var.vintages[i]).collect();
        }
        self.index = self.zones.iter().enumerate().map(|(i, z)| (z.code.clone(), i)).collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iris(c: &str) -> ZoneCode {
        ZoneCode::new(Level::Iris, c).unwrap()
    }

    #[test]
    fn newer_vintage_wins_and_masked_is_kept() {
        let mut t = ZoneTable::new();
        let r = t.upsert_zone(Zone::new(iris("381850101")));
        assert!(t.set(r, "disp_med", Cell::Value(20_000.0), Some(2019)));
        assert!(t.set(r, "disp_med", Cell::Masked, Some(2020)));
        assert!(!t.set(r, "disp_med", Cell::Value(19_000.0), Some(2018)));
        assert_eq!(t.get(&iris("381850101"), "disp_med"), Cell::Masked);
    }

    #[test]
    fn late_zone_gets_missing_cells() {
        let mut t = ZoneTable::new();
        let a = t.upsert_zone(Zone::new(iris("381850101")));
        t.set(a, "pop", Cell::Value(1.0), None);
        t.upsert_zone(Zone::new(iris("381850102")));
        assert_eq!(t.get(&iris("381850102"), "pop"), Cell::Missing);
        assert_eq!(t.variable("pop").unwrap().count_values(), 1);
    }

    #[test]
    fn sort_keeps_cells_with_their_zone() {
        let mut t = ZoneTable::new();
        let b = t.upsert_zone(Zone::new(iris("381850102")));
        let a = t.upsert_zone(Zone::new(iris("381850101")));
        t.set(b, "pop", Cell::Value(2.0), None);
        t.set(a, "pop", Cell::Value(1.0), None);
        t.sort();
        assert_eq!(t.zones()[0].code.as_str(), "381850101");
        assert_eq!(t.get(&iris("381850102"), "pop"), Cell::Value(2.0));
    }
}
