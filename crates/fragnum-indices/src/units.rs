//! The output units of one run — zones and the groups built from them — and what every pass over
//! them reads.
//!
//! [`Units`] holds the base zones first, then the standalone zones, then the groups (aggregation
//! levels, then custom groups). A group's members are base zones, held as [`Member`]s that only
//! [`Units::build`] makes, so a member always names a zone unit. Per-unit values are summed into
//! groups by [`Units::sum_into_groups`], which reads the zones' entries and writes the groups':
//! a group's value is built from its members' only, never from another group's.

use std::collections::{BTreeMap, BTreeSet};

use fragnum_core::{Level, ZoneCode, ZoneTable};

use crate::IndicesError;
use crate::expr::{Reader, Source};
use crate::settings::IndicesSettings;

/// The zone table with the link not every row carries: the EPCI of each commune.
pub(crate) struct Geography<'t> {
    table: &'t ZoneTable,
    commune_epci: BTreeMap<String, String>,
}

impl<'t> Geography<'t> {
    /// The geography of `table`, the EPCI of a commune read from its row.
    pub(crate) fn new(table: &'t ZoneTable) -> Self {
        let commune_epci =
            table.zones_at(Level::Commune).filter_map(|(_, z)| Some((z.code.as_str().to_string(), z.epci.clone()?))).collect();
        Geography { table, commune_epci }
    }

    /// The table.
    pub(crate) fn table(&self) -> &'t ZoneTable {
        self.table
    }

    /// The EPCI of a zone: its own, else its commune's row's.
    pub(crate) fn epci_of(&self, row: usize) -> Option<String> {
        let z = &self.table.zones()[row];
        z.epci.clone().or_else(|| z.commune.as_ref().and_then(|c| self.commune_epci.get(c).cloned()))
    }

    /// Whether zone `row` belongs to a custom group listing `codes`: a code names the zone itself,
    /// its commune or its EPCI. The one membership rule for groups and `group:` references.
    pub(crate) fn in_group(&self, row: usize, codes: &[String]) -> bool {
        let z = &self.table.zones()[row];
        let epci = self.epci_of(row);
        codes.iter().any(|c| z.code.as_str() == c || z.code.commune() == Some(c.as_str()) || epci.as_deref() == Some(c.as_str()))
    }
}

/// A base zone as a member of a group: its position in [`Units`], where every zone comes before
/// every group. Made by [`Units::build`] only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Member(usize);

/// One output unit before its indices are known: a zone of the table, or a group of base zones.
pub(crate) struct Unit {
    /// Zone code, or group code (the group's name for a custom group).
    pub(crate) code: String,
    /// Level ([`Level::Group`] for a custom group).
    pub(crate) level: Level,
    /// Name, when known.
    pub(crate) name: Option<String>,
    /// The table row of a zone, or a group's own row (a commune's Filosofi row) when it has one.
    pub(crate) own: Option<usize>,
    is_group: bool,
    /// A group's members; empty for a zone.
    members: Vec<Member>,
    /// The table rows of `members`, in the same order.
    member_rows: Vec<usize>,
}

impl Unit {
    fn zone(table: &ZoneTable, row: usize) -> Unit {
        let z = &table.zones()[row];
        Unit {
            code: z.code.as_str().to_string(),
            level: z.code.level(),
            name: z.name.clone(),
            own: Some(row),
            is_group: false,
            members: Vec::new(),
            member_rows: Vec::new(),
        }
    }

    /// Whether the unit is a group (an aggregation level or a custom group).
    pub(crate) fn is_group(&self) -> bool {
        self.is_group
    }

    /// The table rows of a group's members (base zones); empty for a zone.
    pub(crate) fn member_rows(&self) -> &[usize] {
        &self.member_rows
    }

    /// The number of base zones the unit stands for (1 for a zone).
    pub(crate) fn size(&self) -> usize {
        if self.is_group { self.members.len() } else { 1 }
    }

    /// Where expressions are evaluated for the unit: a zone's row, or a group's members with its own row.
    pub(crate) fn source(&self) -> Source<'_> {
        match (self.is_group, self.own) {
            (false, Some(r)) => Source::Row(r),
            _ => Source::Group { members: &self.member_rows, own: self.own },
        }
    }
}

/// Zones and groups in output order: base zones, standalone zones, then groups.
pub(crate) struct Units {
    all: Vec<Unit>,
    /// `all[..base]` are the base zones.
    base: usize,
    /// `all[first_group..]` are the groups; every unit before is a zone.
    first_group: usize,
}

impl Units {
    /// Builds the zones of `settings.base_level` and `settings.standalone_levels`, then one group
    /// per code of each aggregation level (`levels`) and one per custom group (`groups`), each
    /// made of base zones.
    pub(crate) fn build(geography: &Geography<'_>, settings: &IndicesSettings) -> Result<Units, IndicesError> {
        let table = geography.table();
        let zones = table.zones();
        let base_rows: Vec<usize> = table.zones_at(settings.base_level).map(|(r, _)| r).collect();
        // Base zones lead, in `base_rows` order: `Member(i)` is base zone `i` and unit `i`.
        let mut all: Vec<Unit> = base_rows.iter().map(|&r| Unit::zone(table, r)).collect();
        let base = all.len();
        for level in &settings.standalone_levels {
            all.extend(table.zones_at(*level).map(|(r, _)| Unit::zone(table, r)));
        }
        let first_group = all.len();
        let group = |code: String, level: Level, name: Option<String>, own: Option<usize>, members: Vec<Member>| Unit {
            code,
            level,
            name,
            own,
            is_group: true,
            member_rows: members.iter().map(|m| base_rows[m.0]).collect(),
            members,
        };
        for &level in &settings.levels {
            let mut groups: BTreeMap<String, Vec<Member>> = BTreeMap::new();
            for (i, &row) in base_rows.iter().enumerate() {
                let z = &zones[row];
                let key = match level {
                    Level::Commune => z.code.commune().map(str::to_string).or_else(|| z.commune.clone()),
                    Level::Epci => geography.epci_of(row),
                    Level::Departement => z.code.departement().map(str::to_string),
                    _ => {
                        return Err(IndicesError::settings(
                            "levels",
                            format!(
                                "`{level}` cannot be built from {} zones (use commune, epci, departement, or [indices.groups])",
                                settings.base_level
                            ),
                        ));
                    }
                };
                if let Some(k) = key {
                    groups.entry(k).or_default().push(Member(i));
                }
            }
            for (code, members) in groups {
                let own = ZoneCode::new(level, &code).ok().and_then(|c| table.row(&c).ok());
                let first = &zones[base_rows[members[0].0]];
                let name = own.and_then(|r| zones[r].name.clone()).or_else(|| match level {
                    Level::Commune => first.commune_name.clone(),
                    Level::Epci => first.epci_name.clone(),
                    _ => None,
                });
                all.push(group(code, level, name, own, members));
            }
        }
        for (name, codes) in &settings.groups {
            let mut members = BTreeSet::new();
            for code in codes {
                let before = members.len();
                for (i, &row) in base_rows.iter().enumerate() {
                    if geography.in_group(row, std::slice::from_ref(code)) {
                        members.insert(Member(i));
                    }
                }
                if members.len() == before {
                    return Err(IndicesError::UnknownGroupMember { group: name.clone(), code: code.clone() });
                }
            }
            all.push(group(name.clone(), Level::Group, Some(name.clone()), None, members.into_iter().collect()));
        }
        Ok(Units { all, base, first_group })
    }

    /// Every unit, in output order.
    pub(crate) fn all(&self) -> &[Unit] {
        &self.all
    }

    /// The zones (base and standalone), with their positions.
    pub(crate) fn zones(&self) -> impl Iterator<Item = (usize, &Unit)> {
        self.all[..self.first_group].iter().enumerate()
    }

    /// The base zones: their positions and table rows.
    pub(crate) fn base(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.all[..self.base].iter().enumerate().filter_map(|(u, unit)| Some((u, unit.own?)))
    }

    /// Sets each group's entry of `values` (one per unit, zones' already set) with `sum`, which
    /// gets the group's entry and its members' entries.
    pub(crate) fn sum_into_groups<T>(&self, values: &mut [T], mut sum: impl FnMut(&mut T, &[&T])) {
        // Members are zones, so they all lie before the first group: the zones' entries are read
        // while the groups' are written.
        let (zones, groups) = values.split_at_mut(self.first_group);
        for (unit, value) in self.all[self.first_group..].iter().zip(groups) {
            let members: Vec<&T> = unit.members.iter().map(|m| &zones[m.0]).collect();
            sum(value, &members);
        }
    }
}

/// What every pass of [`crate::compute()`] reads: the table (with its derived variables), its
/// geography, the units and the settings.
pub(crate) struct Run<'a> {
    /// The table reader.
    pub(crate) reader: Reader<'a>,
    /// The table's geography.
    pub(crate) geography: Geography<'a>,
    /// The units.
    pub(crate) units: Units,
    /// The settings.
    pub(crate) settings: &'a IndicesSettings,
}
