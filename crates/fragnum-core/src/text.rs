//! French text matching: the accent folding every reader of free text uses, so `"Sens unique"`,
//! `"Médiation"` and their accent-less spellings compare equal.

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
