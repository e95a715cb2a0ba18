//! Enumerations users name by a word (`--compress zstd`, `device = "cpu"`): every value with its
//! word and one line of help. The command line builds its value parsers from these tables and a
//! binding parses the same words, so the library needs no argument-parsing crate.

/// A closed set of values named by words.
pub trait Choice: Sized + Copy + PartialEq + Send + Sync + 'static {
    /// Every value, its word and a one-line help.
    const CHOICES: &'static [(Self, &'static str, &'static str)];

    /// The word for this value.
    fn word(self) -> &'static str {
        Self::CHOICES
            .iter()
            .find(|(v, _, _)| *v == self)
            .map(|(_, w, _)| *w)
            .unwrap_or("?")
    }

    /// The value a word names (exact match).
    fn from_word(s: &str) -> Option<Self> {
        Self::CHOICES
            .iter()
            .find(|(_, w, _)| *w == s)
            .map(|(v, _, _)| *v)
    }

    /// Every word, for messages.
    fn words() -> Vec<&'static str> {
        Self::CHOICES.iter().map(|(_, w, _)| *w).collect()
    }
}
