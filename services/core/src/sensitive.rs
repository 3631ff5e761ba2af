//! Personal data redacted by type.

use std::fmt;

/// Holds a value that must never reach a log, a trace or an error message.
/// `Debug` and `Display` print `**REDACTED**`; [`Sensitive::expose`] is the only way in.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Self(value)
    }

    /// The value itself. Call sites are the places to review for leaks.
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("**REDACTED**")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let s = Sensitive::new("alice@example.com".to_string());
        assert_eq!(format!("{s:?}"), "**REDACTED**");
        assert_eq!(format!("{s}"), "**REDACTED**");
        assert_eq!(format!("{:?}", Some(&s)), "Some(**REDACTED**)");
        assert_eq!(s.expose(), "alice@example.com");
    }
}
