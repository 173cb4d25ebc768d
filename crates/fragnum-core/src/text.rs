//! French text: the accent folding every reader of free text uses, so `"Sens unique"`,
//! `"Médiation"` and their accent-less spellings compare equal; and [`printable`], which keeps input
//! control characters (NUL, ESC…) out of every text written for people.

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
