//! Reading one value of one layer: whether it was given, given and usable, or given and wrong
//! (reported once, at its path). The validator's layers and monitors build on these.

use super::problem::{Field, Problems};
use crate::settings::Int;

/// A value as one layer gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Got<T> {
    /// Not given here: inherited.
    Unset,
    /// Given but wrong (already reported).
    Invalid,
    /// Given and right.
    Set(T),
}

impl<T> Got<T> {
    /// This layer's value over the inherited one; `None` when unusable.
    pub(crate) fn or(self, inherited: Option<T>) -> Option<T> {
        match self {
            Self::Set(v) => Some(v),
            Self::Unset => inherited,
            Self::Invalid => None,
        }
    }

    /// For a setting that may stay unset: `Some(None)` when unset, `None` when unusable.
    #[allow(clippy::option_option)] // the three cases are exactly what `?` needs here
    pub(crate) fn into_option(self) -> Option<Option<T>> {
        match self {
            Self::Set(v) => Some(Some(v)),
            Self::Unset => Some(None),
            Self::Invalid => None,
        }
    }

    /// Whether this layer gave a usable value.
    pub(crate) fn is_set(&self) -> bool {
        matches!(self, Self::Set(_))
    }
}

/// Reads values at paths, reporting what is wrong.
#[derive(Debug)]
pub(crate) struct Check<'a> {
    pub problems: &'a mut Problems,
}

impl Check<'_> {
    /// A value with no rule of its own; `Invalid` when the walker left it out.
    pub(crate) fn got<T: Clone>(&self, field: &Field<'_>, value: Option<&T>) -> Got<T> {
        match value {
            Some(v) => Got::Set(v.clone()),
            None if self.problems.is_malformed_field(field) => Got::Invalid,
            None => Got::Unset,
        }
    }

    /// A value that must pass `rule`, which may also convert it.
    pub(crate) fn rule<T: ?Sized, U>(
        &mut self,
        field: &Field<'_>,
        value: Option<&T>,
        rule: impl FnOnce(&T) -> Result<U, String>,
    ) -> Got<U> {
        match value.map(rule) {
            Some(Ok(u)) => Got::Set(u),
            Some(Err(message)) => {
                self.problems.add(&field.path(), message);
                Got::Invalid
            }
            None if self.problems.is_malformed_field(field) => Got::Invalid,
            None => Got::Unset,
        }
    }

    /// An integer setting's value at `at` (a field of its key), within the setting's range.
    pub(crate) fn int(&mut self, at: &Field<'_>, value: Option<i64>, setting: &Int) -> Got<i64> {
        self.rule(at, value.as_ref(), |v| setting.check(*v))
    }
}
