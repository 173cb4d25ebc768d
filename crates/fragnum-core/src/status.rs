//! Whether a figure was computed from the zone's own data or imputed from an enclosing level.

/// How a zone's figure was obtained. A zone without any figure has no status (`None`), and its
/// output says why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// From the zone's own inputs.
    Computed,
    /// Part of the inputs (survey universe or strata) borrowed from an enclosing level (commune,
    /// EPCI, département) and scaled to the zone's own known figures.
    Imputed,
}

impl Status {
    /// The name written in tables (`computed`, `imputed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Computed => "computed",
            Status::Imputed => "imputed",
        }
    }

    /// The French word shown to readers (« calculé », « imputé »).
    pub fn label_fr(self) -> &'static str {
        match self {
            Status::Computed => "calculé",
            Status::Imputed => "imputé",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
