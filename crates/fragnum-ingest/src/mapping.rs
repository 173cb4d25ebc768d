//! INSEE column names → vintage-free fragnum names, driven by `config/variables.toml`.
//!
//! One table, not one code path per vintage: the vintage is read off the column name
//! (`P16_POP75P` → 2016, `C21_MEN` → 2021, `DISP_MED20` → 2020, `Q219` → 2019) and the rest
//! is looked up. Short, ambiguous names (CAF's `A`, job seekers' `ABC`) live in named *sets*
//! that a table opts into.

use std::collections::HashMap;
use std::path::Path;

use fragnum_core::Location;
use serde::Deserialize;

use crate::IngestError;
use crate::config::toml_error;
use crate::tabular::normalise_key;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    columns: HashMap<String, String>,
    #[serde(default)]
    sets: HashMap<String, HashMap<String, String>>,
}

/// The loaded mapping table.
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    common: HashMap<String, String>,
    sets: HashMap<String, HashMap<String, String>>,
}

/// A column recognised by the mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    /// The vintage-free fragnum name (`pop_75p`).
    pub name: String,
    /// The vintage read off the column name, if any.
    pub vintage: Option<u16>,
}

fn normalise(map: HashMap<String, String>) -> HashMap<String, String> {
    map.into_iter().map(|(k, v)| (normalise_key(&k), v)).collect()
}

impl Mapping {
    /// Reads a mapping file.
    pub fn load(path: &Path) -> Result<Self, IngestError> {
        let text = std::fs::read_to_string(path).map_err(|e| IngestError::io(path, e))?;
        Self::parse(path, &text)
    }

    /// Parses mapping TOML read from `path`.
    pub fn parse(path: &Path, text: &str) -> Result<Self, IngestError> {
        let file: MappingFile = toml::from_str(text).map_err(|e| toml_error(path, text, &e))?;
        Ok(Mapping { common: normalise(file.columns), sets: file.sets.into_iter().map(|(k, v)| (k, normalise(v))).collect() })
    }

    /// Every fragnum variable name the mapping can produce (its targets, in every set).
    pub fn names(&self) -> std::collections::BTreeSet<String> {
        self.common.values().chain(self.sets.values().flat_map(HashMap::values)).cloned().collect()
    }

    /// Checks that every set a table asks for exists.
    pub fn check_sets(&self, sets: &[String], location: &Location) -> Result<(), IngestError> {
        match sets.iter().find(|s| !self.sets.contains_key(*s)) {
            Some(s) => Err(IngestError::Config {
                location: location.clone(),
                message: format!("unknown mapping set `{s}` (known: {})", {
                    let mut k: Vec<&str> = self.sets.keys().map(String::as_str).collect();
                    k.sort_unstable();
                    k.join(", ")
                }),
            }),
            None => Ok(()),
        }
    }

    /// Resolves a normalised column name, looking in `sets` first, then in the common table.
    ///
    /// ```
    /// use fragnum_ingest::mapping::Mapping;
    /// let m = Mapping::parse("v.toml".as_ref(), "[columns]\nPOP75P = 'pop_75p'\nDISP_MED = 'disp_med'").unwrap();
    /// let p = m.resolve("P16_POP75P", &[]).unwrap();
    /// assert_eq!((p.name.as_str(), p.vintage), ("pop_75p", Some(2016)));
    /// assert_eq!(m.resolve("DISP_MED20", &[]).unwrap().vintage, Some(2020));
    /// assert!(m.resolve("LIBCOM", &[]).is_none());
    /// ```
    pub fn resolve(&self, key: &str, sets: &[String]) -> Option<Mapped> {
        let tables = sets.iter().filter_map(|s| self.sets.get(s)).chain(std::iter::once(&self.common));
        for table in tables {
            if let Some(name) = table.get(key) {
                return Some(Mapped { name: name.clone(), vintage: None });
            }
            if let Some((vintage, base)) = split_prefix(key)
                && let Some(name) = table.get(base)
            {
                return Some(Mapped { name: name.clone(), vintage: Some(vintage) });
            }
            if let Some((base, vintage)) = split_suffix(key)
                && let Some(name) = table.get(base)
            {
                return Some(Mapped { name: name.clone(), vintage: Some(vintage) });
            }
        }
        None
    }
}

fn two_digit_year(s: &str) -> Option<u16> {
    (s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit())).then(|| 2000 + s.parse::<u16>().unwrap_or(0))
}

/// `P16_POP75P` → (2016, `POP75P`); `C21_MEN` → (2021, `MEN`).
fn split_prefix(key: &str) -> Option<(u16, &str)> {
    let rest = key.strip_prefix('P').or_else(|| key.strip_prefix('C'))?;
    let (yy, base) = rest.split_once('_')?;
    Some((two_digit_year(yy)?, base))
}

/// `DISP_MED20` → (`DISP_MED`, 2020).
fn split_suffix(key: &str) -> Option<(&str, u16)> {
    let cut = key.len().checked_sub(2)?;
    let (base, yy) = (key.get(..cut)?, key.get(cut..)?);
    Some((base, two_digit_year(yy)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_take_precedence_and_are_opt_in() {
        let m = Mapping::parse(Path::new("v.toml"), "[columns]\nMEN = 'men'\n[sets.caf]\nA = 'caf_allocataires'\n").unwrap();
        assert!(m.resolve("A", &[]).is_none());
        assert_eq!(m.resolve("A", &["caf".into()]).unwrap().name, "caf_allocataires");
        assert_eq!(m.resolve("C16_MEN", &[]).unwrap().vintage, Some(2016));
        assert!(m.check_sets(&["cfa".into()], &Location::file("c.toml")).is_err());
    }
}
