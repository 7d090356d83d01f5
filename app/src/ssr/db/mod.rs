//! SQL, one file per table group. Functions take a pool or `&mut PgConnection`; callers own
//! transaction boundaries.

pub mod accounts;
pub mod login_failures;
pub mod users;
