//! French text: the accent folding every reader of free text uses, so `"Sens unique"`,
//! `"Médiation"` and their accent-less spellings compare equal; [`normalise`], the one key
//! normaliser (road attributes, service names and slugs, table headers), with a [`Normalise`] per
//! use; and [`printable`], which keeps input control characters (NUL, ESC…) out of every text
//! written for people.

/// The unaccented lower-case letter of a French lower-case letter (`é` → `e`, `ç` → `c`);
/// any other character is returned as is.
///
/// ```
/// use fragnum_core::text::fold_accent;
/// let folded: String = "médiation à côté".chars().map(fold_accent).collect();
/// assert_eq!(folded, "mediation a cote");
/// ```
pub fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' => 'a',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' => 'i',
        'ô' | 'ö' | 'œ' => 'o',
        'ù' | 'û' | 'ü' => 'u',
        'ç' => 'c',
        c => c,
    }
}

/// `s` without the control characters (NUL, ESC, DEL, C1 codes…) an input file may carry, for
/// every text written for people: fact sheets, map titles and legends, GeoJSON names. Tab and
/// newline are kept (they are white space in HTML); a carriage return is dropped, so CRLF reads
/// as LF. Borrows `s` when there is nothing to remove.
///
/// ```
/// use fragnum_core::text::printable;
/// assert_eq!(printable("Bel\u{0}air\u{1b}[31m\r\n"), "Belair[31m\n");
/// assert!(matches!(printable("Bel-Air"), std::borrow::Cow::Borrowed(_)));
/// ```
pub fn printable(s: &str) -> std::borrow::Cow<'_, str> {
    let unwanted = |c: char| c.is_control() && c != '\t' && c != '\n';
    if s.chars().any(unwanted) {
        std::borrow::Cow::Owned(s.chars().filter(|&c| !unwanted(c)).collect())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// [`printable`] on one line: tab and newline become spaces (map titles, legends, labels).
///
/// ```
/// assert_eq!(fragnum_core::text::printable_line("Haute-\u{7}Vallée\n\tNord"), "Haute-Vallée  Nord");
/// ```
pub fn printable_line(s: &str) -> std::borrow::Cow<'_, str> {
    match printable(s) {
        c if c.contains(['\t', '\n']) => std::borrow::Cow::Owned(c.replace(['\t', '\n'], " ")),
        c => c,
    }
}

/// What [`normalise`] does to letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Letters {
    /// Lower case with French accents folded (`É` → `e`, [`fold_accent`]): free text whose
    /// spelling and capitals vary.
    Folded,
    /// ASCII letters upper-cased, every other character as it is (`é` stays `é`): column names
    /// such as INSEE's, which are upper-case ASCII however a file spells them.
    AsciiUpper,
}

/// What [`normalise`] does to the characters between words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Separators {
    /// Only ASCII letters and digits are kept (after [`Letters`]); everything else — spaces,
    /// punctuation, letters lost to a wrong encoding — is dropped, so fragments of a value can
    /// be looked for inside it (`"Route à 2 chaussées"` → `"routea2chaussees"`).
    Dropped,
    /// Each run of characters other than ASCII letters and digits is one `_`, none at either
    /// end (`" Accès libre (poste) "` → `"acces_libre_poste"`).
    Underscore,
    /// Each white-space character and `-` is one `_` (runs are not merged), every other
    /// character is kept; white space at either end is trimmed first (`" P16 Pop-75P"` →
    /// `"P16_POP_75P"`).
    SpaceAndHyphen,
}

/// How [`normalise`] turns a text into a key: one rule for letters, one for what lies between
/// words. The three rules fragnum matches on are the associated constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Normalise {
    /// Case and accents.
    pub letters: Letters,
    /// Spaces and punctuation.
    pub separators: Separators,
}

impl Normalise {
    /// Lower-case ASCII letters and digits only, accents folded: IGN road attributes (`NATURE`,
    /// `SENS`…), matched on fragments so a Latin-1 file read as UTF-8 still matches.
    pub const COMPACT: Self = Normalise { letters: Letters::Folded, separators: Separators::Dropped };
    /// Lower-case `snake_case` ASCII, accents folded: service names and file-name slugs.
    pub const SNAKE: Self = Normalise { letters: Letters::Folded, separators: Separators::Underscore };
    /// Upper-case ASCII letters, spaces and hyphens as `_`: table headers and column names.
    pub const COLUMN: Self = Normalise { letters: Letters::AsciiUpper, separators: Separators::SpaceAndHyphen };
}

/// `s` as a key for matching, by the rule `how` (see [`Normalise`]). White space at either end
/// never counts.
///
/// ```
/// use fragnum_core::text::{Normalise, normalise};
/// assert_eq!(normalise("Route à 2 chaussées", Normalise::COMPACT), "routea2chaussees");
/// assert_eq!(normalise(" CONSEILLER  NUMÉRIQUE ", Normalise::SNAKE), "conseiller_numerique");
/// assert_eq!(normalise(" P16 Nscol15P Diplmin ", Normalise::COLUMN), "P16_NSCOL15P_DIPLMIN");
/// ```
pub fn normalise(s: &str, how: Normalise) -> String {
    let s = s.trim();
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        // Lower-casing may give more than one character (`İ` → `i` + a combining dot).
        let mut push = |c: char| match how.separators {
            Separators::Dropped => {
                if c.is_ascii_alphanumeric() {
                    out.push(c);
                }
            }
            Separators::Underscore => {
                if c.is_ascii_alphanumeric() {
                    out.push(c);
                } else if !out.is_empty() && !out.ends_with('_') {
                    out.push('_');
                }
            }
            Separators::SpaceAndHyphen => out.push(if c.is_whitespace() || c == '-' { '_' } else { c }),
        };
        match how.letters {
            Letters::Folded => c.to_lowercase().map(fold_accent).for_each(&mut push),
            Letters::AsciiUpper => push(c.to_ascii_uppercase()),
        }
    }
    if how.separators == Separators::Underscore && out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_ascii_letters_and_digits_only() {
        let compact = |s| normalise(s, Normalise::COMPACT);
        assert_eq!(compact("Route à 2 chaussées"), "routea2chaussees");
        assert_eq!(compact("Rond-point"), "rondpoint");
        // Characters lost to a wrong encoding are dropped, so fragments still match.
        assert_eq!(compact("Route \u{FFFD} 2 chauss\u{FFFD}es"), "route2chausses");
        assert_eq!(compact("ÉCOLE_Œuvre İ"), "ecoleouvrei");
        assert_eq!(compact(" \t "), "");
    }

    #[test]
    fn snake_merges_separator_runs_and_trims_them() {
        let snake = |s| normalise(s, Normalise::SNAKE);
        assert_eq!(snake("  Accès libre (poste)  "), "acces_libre_poste");
        assert_eq!(snake("__Wifi--public__"), "wifi_public");
        assert_eq!(snake("Haute-Vallée de l’Arc"), "haute_vallee_de_l_arc");
        assert_eq!(snake("İzmir"), "i_zmir", "the combining dot of a lower-cased İ separates");
        assert_eq!(snake("ΣΑΣ"), "");
        assert_eq!(snake("-_-"), "");
    }

    #[test]
    fn column_upper_cases_ascii_and_underscores_each_space_and_hyphen() {
        let column = |s| normalise(s, Normalise::COLUMN);
        assert_eq!(column(" P16 Nscol15P Diplmin "), "P16_NSCOL15P_DIPLMIN");
        assert_eq!(column("code  iris"), "CODE__IRIS", "runs are not merged");
        assert_eq!(column("-x\u{a0}y "), "_X_Y", "a hyphen at an end is kept, white space trimmed");
        assert_eq!(column("Libellé (commune)"), "LIBELLé_(COMMUNE)", "only ASCII letters change");
    }

    /// The three normalisers this one replaced, kept here as they were, checked against it on
    /// every kind of character they treated apart.
    #[test]
    fn same_keys_as_the_normalisers_it_replaced() {
        fn roads_folded(value: &str) -> String {
            value
                .chars()
                .filter_map(|c| {
                    let c = fold_accent(c.to_lowercase().next().unwrap_or(c));
                    c.is_ascii_alphanumeric().then_some(c)
                })
                .collect()
        }
        fn sheets_normalise(s: &str) -> String {
            let mut out = String::with_capacity(s.len());
            for ch in s.trim().to_lowercase().chars() {
                let c = match fold_accent(ch) {
                    c if c.is_ascii_alphanumeric() => c,
                    _ => '_',
                };
                if !(c == '_' && out.ends_with('_')) {
                    out.push(c);
                }
            }
            out.trim_matches('_').to_string()
        }
        fn tabular_normalise_key(name: &str) -> String {
            name.trim().chars().map(|c| if c.is_whitespace() || c == '-' { '_' } else { c.to_ascii_uppercase() }).collect()
        }
        let pieces = [
            "", " ", "\t", "\u{a0}", "\u{3000}", "\n", "-", "_", "'", "’", "(", ".", "a", "Z", "7", "é", "É", "Œ", "ç", "Ç", "ß", "İ", "Σ",
            "ς", "\u{FFFD}", "\u{301}", "ﬁ", "Ⅻ", "ǅ", "😀",
        ];
        let mut checked = 0;
        for a in pieces {
            for b in pieces {
                for c in pieces {
                    let s = format!("{a}{b}x{c}{a}");
                    assert_eq!(normalise(&s, Normalise::COMPACT), roads_folded(&s), "{s:?}");
                    assert_eq!(normalise(&s, Normalise::SNAKE), sheets_normalise(&s), "{s:?}");
                    assert_eq!(normalise(&s, Normalise::COLUMN), tabular_normalise_key(&s), "{s:?}");
                    let s = format!("{a}{b}{c}");
                    assert_eq!(normalise(&s, Normalise::COMPACT), roads_folded(&s), "{s:?}");
                    assert_eq!(normalise(&s, Normalise::SNAKE), sheets_normalise(&s), "{s:?}");
                    assert_eq!(normalise(&s, Normalise::COLUMN), tabular_normalise_key(&s), "{s:?}");
                    checked += 2;
                }
            }
        }
        assert_eq!(checked, 2 * pieces.len().pow(3));
    }
}
