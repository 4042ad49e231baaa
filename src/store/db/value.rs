//! Values and rows as they cross the seam: the five kinds both databases store.

use time::OffsetDateTime;

use super::{DbError, DbResult};

/// A parameter or a column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL NULL.
    Null,
    /// An integer (also booleans, 0 or 1, and times, seconds since the epoch).
    Int(i64),
    /// A floating-point number.
    Real(f64),
    /// Text.
    Text(String),
    /// Bytes.
    Blob(Vec<u8>),
}

impl Value {
    /// The kind's name, for error messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Int(_) => "an integer",
            Value::Real(_) => "a real number",
            Value::Text(_) => "text",
            Value::Blob(_) => "bytes",
        }
    }
}

macro_rules! int_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Value {
            fn from(v: $t) -> Value {
                Value::Int(i64::from(v))
            }
        }
    )*};
}
int_from!(i8, i16, i32, i64, u8, u16, u32, bool);

impl From<u64> for Value {
    /// Counts and limits past `i64::MAX` mean "no limit": they saturate.
    fn from(v: u64) -> Value {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<usize> for Value {
    fn from(v: usize) -> Value {
        Value::Int(i64::try_from(v).unwrap_or(i64::MAX))
    }
}

impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Real(v)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Value {
        Value::Text(v.to_owned())
    }
}

impl From<String> for Value {
    fn from(v: String) -> Value {
        Value::Text(v)
    }
}

impl From<&String> for Value {
    fn from(v: &String) -> Value {
        Value::Text(v.clone())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Value {
        Value::Blob(v)
    }
}

impl From<&[u8]> for Value {
    fn from(v: &[u8]) -> Value {
        Value::Blob(v.to_vec())
    }
}

impl From<OffsetDateTime> for Value {
    /// Times are stored as whole seconds since the Unix epoch, UTC.
    fn from(v: OffsetDateTime) -> Value {
        Value::Int(v.unix_timestamp())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Value {
        v.map_or(Value::Null, Into::into)
    }
}

impl From<&Value> for Value {
    fn from(v: &Value) -> Value {
        v.clone()
    }
}

/// A result row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row(pub(crate) Vec<Value>);

impl Row {
    /// Column `index` read as `T`.
    pub fn get<T: FromValue>(&self, index: usize) -> DbResult<T> {
        let value = self.0.get(index).unwrap_or(&Value::Null);
        T::from_value(value).ok_or(DbError::Column {
            index,
            found: value.kind(),
            wanted: T::WANTED,
        })
    }

    /// Column `index` as text, borrowed from the row.
    pub fn text(&self, index: usize) -> DbResult<&str> {
        match self.0.get(index) {
            Some(Value::Text(text)) => Ok(text),
            other => Err(DbError::Column {
                index,
                found: other.unwrap_or(&Value::Null).kind(),
                wanted: "text",
            }),
        }
    }

    /// The row's values, in column order.
    pub fn values(&self) -> &[Value] {
        &self.0
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True for a row with no columns.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// A Rust type a column can be read as.
pub trait FromValue: Sized {
    /// What the type expects, for the error when a column holds something else.
    const WANTED: &'static str;
    /// The value as `Self`, or `None` when it does not fit.
    fn from_value(value: &Value) -> Option<Self>;
}

macro_rules! int_to {
    ($($t:ty),*) => {$(
        impl FromValue for $t {
            const WANTED: &'static str = concat!("an integer fitting ", stringify!($t));
            fn from_value(value: &Value) -> Option<Self> {
                match value {
                    Value::Int(i) => <$t>::try_from(*i).ok(),
                    _ => None,
                }
            }
        }
    )*};
}
int_to!(i32, i64, u8, u16, u32, u64, usize);

impl FromValue for bool {
    const WANTED: &'static str = "0 or 1";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(0) => Some(false),
            Value::Int(1) => Some(true),
            _ => None,
        }
    }
}

impl FromValue for f64 {
    const WANTED: &'static str = "a number";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Real(r) => Some(*r),
            // Integer columns and integer results of arithmetic read as numbers too.
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }
}

impl FromValue for String {
    const WANTED: &'static str = "text";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }
}

impl FromValue for Vec<u8> {
    const WANTED: &'static str = "bytes";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Blob(b) => Some(b.clone()),
            _ => None,
        }
    }
}

impl FromValue for OffsetDateTime {
    const WANTED: &'static str = "a time in seconds since 1970";
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Int(secs) => OffsetDateTime::from_unix_timestamp(*secs).ok(),
            _ => None,
        }
    }
}

impl<T: FromValue> FromValue for Option<T> {
    const WANTED: &'static str = T::WANTED;
    fn from_value(value: &Value) -> Option<Self> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

impl FromValue for Value {
    const WANTED: &'static str = "any value";
    fn from_value(value: &Value) -> Option<Self> {
        Some(value.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_misfits_are_errors() {
        let row = Row(vec![
            Value::from(7_u32),
            Value::from(true),
            Value::from("ada"),
            Value::from(None::<i64>),
            Value::from(-1_i64),
            Value::from(OffsetDateTime::UNIX_EPOCH),
        ]);
        assert_eq!(row.get::<u32>(0).expect("u32"), 7);
        assert!(row.get::<bool>(1).expect("bool"));
        assert_eq!(row.get::<String>(2).expect("text"), "ada");
        assert_eq!(row.get::<Option<i64>>(3).expect("null"), None);
        assert!(matches!(
            row.get::<u8>(4),
            Err(DbError::Column { index: 4, .. })
        ));
        assert_eq!(row.get::<f64>(0).expect("int as real"), 7.0);
        assert!(row.get::<String>(0).is_err());
        assert_eq!(
            row.get::<OffsetDateTime>(5).expect("time"),
            OffsetDateTime::UNIX_EPOCH
        );
        assert!(row.get::<i64>(9).is_err(), "a missing column is an error");
        assert_eq!(Value::from(u64::MAX), Value::Int(i64::MAX));
    }
}
