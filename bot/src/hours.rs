//! Business hours: the weekly opening schedule, its validation, and
//! [`is_open`], evaluated in the schedule's IANA time zone.

use chrono::{DateTime, Datelike, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use crate::BotError;

/// Zone used when none is stored and when a stored name is not a known IANA
/// zone (WIB, UTC+7).
pub const DEFAULT_TIME_ZONE: &str = "Asia/Jakarta";

fn default_time_zone() -> String {
    DEFAULT_TIME_ZONE.to_owned()
}

/// Opening hours of one day, in local time.
///
/// If `close <= open` the day spans midnight: 20:00–02:00 means open from
/// 20:00 that day until 02:00 the next day. 00:00–00:00 therefore means open
/// all day (see [`DayHours::all_day`]); any other `open == close` is rejected
/// by [`BusinessHours::validate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayHours {
    pub open: NaiveTime,
    pub close: NaiveTime,
}

impl DayHours {
    /// Hours from `open` to `close`, e.g. `DayHours::new(8, 0, 17, 0)`.
    ///
    /// # Panics
    /// If an hour is > 23 or a minute > 59.
    pub fn new(open_hour: u32, open_min: u32, close_hour: u32, close_min: u32) -> Self {
        let time = |h, m| NaiveTime::from_hms_opt(h, m, 0).expect("valid hour and minute");
        Self {
            open: time(open_hour, open_min),
            close: time(close_hour, close_min),
        }
    }

    /// 00:00–00:00: open the whole day.
    pub fn all_day() -> Self {
        Self {
            open: NaiveTime::MIN,
            close: NaiveTime::MIN,
        }
    }

    /// Whether the opening continues past midnight into the next day.
    pub fn spans_midnight(&self) -> bool {
        self.close <= self.open
    }
}

/// A weekly schedule. `days[0]` is Monday … `days[6]` is Sunday; `None` means
/// closed all day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessHours {
    /// IANA zone name such as "Asia/Jakarta" (WIB), "Asia/Makassar" (WITA) or
    /// "Asia/Jayapura" (WIT).
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    pub days: [Option<DayHours>; 7],
}

impl Default for BusinessHours {
    /// Mon–Fri 08:00–17:00, Sat 08:00–12:00, Sun closed, Asia/Jakarta.
    fn default() -> Self {
        let (wd, sat) = (DayHours::new(8, 0, 17, 0), DayHours::new(8, 0, 12, 0));
        let days = [
            Some(wd),
            Some(wd),
            Some(wd),
            Some(wd),
            Some(wd),
            Some(sat),
            None,
        ];
        Self {
            time_zone: default_time_zone(),
            days,
        }
    }
}

impl BusinessHours {
    /// Open around the clock, every day (Asia/Jakarta).
    pub fn always_open() -> Self {
        Self {
            time_zone: default_time_zone(),
            days: [Some(DayHours::all_day()); 7],
        }
    }

    /// Rejects an unknown time zone (`unknown_time_zone`) and a day whose
    /// open and close times are equal (`empty_hours`), except 00:00–00:00,
    /// which means open all day. A schedule with every day closed is valid:
    /// the bot is then always "outside business hours".
    pub fn validate(&self) -> Result<(), BotError> {
        if self.time_zone.parse::<Tz>().is_err() {
            return Err(BotError::UnknownTimeZone(self.time_zone.clone()));
        }
        for (index, hours) in self.days.iter().enumerate() {
            if hours.is_some_and(|h| h.open == h.close && h != DayHours::all_day()) {
                let day = Weekday::try_from(index as u8).expect("index < 7");
                return Err(BotError::EmptyHours { day });
            }
        }
        Ok(())
    }

    /// The schedule's zone; an unknown name falls back to Asia/Jakarta.
    fn zone(&self) -> Tz {
        self.time_zone.parse().unwrap_or(Tz::Asia__Jakarta)
    }
}

/// Whether `now` falls inside the opening hours, in `hours.time_zone`.
///
/// An invalid zone name is treated as "Asia/Jakarta" rather than failing, so
/// a bad setting never silences the bot; [`BusinessHours::validate`] catches
/// it when settings are saved. Opening is inclusive, closing exclusive
/// (08:00–17:00 is open at 08:00 and closed at 17:00). The after-midnight part
/// of a day that spans midnight belongs to that day, so Sunday 20:00–02:00
/// keeps the shop open until Monday 02:00 even if Monday is closed.
pub fn is_open(hours: &BusinessHours, now: DateTime<Utc>) -> bool {
    let local = now.with_timezone(&hours.zone());
    let today = local.weekday().num_days_from_monday() as usize;
    let yesterday = (today + 6) % 7;
    let time = local.time();

    let open_today = hours.days[today]
        .is_some_and(|day| time >= day.open && (day.spans_midnight() || time < day.close));
    let open_from_yesterday =
        hours.days[yesterday].is_some_and(|day| day.spans_midnight() && time < day.close);
    open_today || open_from_yesterday
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    /// The UTC instant of `h:m` local time in `zone` on a weekday of the week
    /// starting Monday 2025-01-06 (`day` 0 = Monday … 6 = Sunday).
    fn at(zone: Tz, day: u32, h: u32, m: u32) -> DateTime<Utc> {
        let local = zone.with_ymd_and_hms(2025, 1, 6 + day, h, m, 0).unwrap();
        assert_eq!(local.weekday().num_days_from_monday(), day);
        local.with_timezone(&Utc)
    }

    fn jakarta(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        at(Tz::Asia__Jakarta, day, h, m)
    }

    fn utc(day: u32, h: u32, m: u32) -> DateTime<Utc> {
        at(Tz::UTC, day, h, m)
    }

    fn closed_week_with(index: usize, day: DayHours) -> BusinessHours {
        let mut hours = BusinessHours {
            days: [None; 7],
            ..BusinessHours::default()
        };
        hours.days[index] = Some(day);
        hours
    }

    #[test]
    fn a_normal_weekday_is_open_between_open_and_close() {
        let hours = BusinessHours::default();
        assert!(is_open(&hours, jakarta(2, 8, 0)));
        assert!(is_open(&hours, jakarta(2, 12, 30)));
        assert!(is_open(&hours, jakarta(2, 16, 59)));
    }

    #[test]
    fn before_opening_and_from_closing_time_it_is_closed() {
        let hours = BusinessHours::default();
        assert!(!is_open(&hours, jakarta(2, 7, 59)));
        assert!(!is_open(&hours, jakarta(2, 17, 0)));
        assert!(!is_open(&hours, jakarta(2, 23, 0)));
        assert!(!is_open(&hours, jakarta(5, 12, 0)), "Saturday closes at 12");
    }

    #[test]
    fn a_closed_day_is_closed_all_day() {
        let hours = BusinessHours::default();
        for h in [0, 8, 12, 16, 23] {
            assert!(!is_open(&hours, jakarta(6, h, 0)), "Sunday {h}:00");
        }
    }

    #[test]
    fn a_span_across_midnight_is_open_in_the_evening_and_after_midnight() {
        let hours = closed_week_with(4, DayHours::new(20, 0, 2, 0)); // Friday
        assert!(!is_open(&hours, jakarta(4, 19, 59)));
        assert!(is_open(&hours, jakarta(4, 20, 0)));
        assert!(is_open(&hours, jakarta(4, 23, 59)));
        assert!(
            is_open(&hours, jakarta(5, 0, 0)),
            "Saturday is closed itself"
        );
        assert!(is_open(&hours, jakarta(5, 1, 59)));
        assert!(!is_open(&hours, jakarta(5, 2, 0)));
        assert!(
            !is_open(&hours, jakarta(4, 1, 0)),
            "Thursday had no late hours"
        );
    }

    #[test]
    fn a_span_across_midnight_on_sunday_wraps_into_monday() {
        let mut hours = closed_week_with(6, DayHours::new(20, 0, 2, 0));
        assert!(is_open(&hours, jakarta(6, 21, 0)));
        assert!(is_open(&hours, jakarta(0, 1, 0)));
        assert!(!is_open(&hours, jakarta(0, 3, 0)));
        hours.days[0] = Some(DayHours::new(8, 0, 17, 0));
        assert!(is_open(&hours, jakarta(0, 1, 0)));
        assert!(!is_open(&hours, jakarta(0, 7, 0)));
        assert!(is_open(&hours, jakarta(0, 9, 0)));
    }

    #[test]
    fn the_after_midnight_part_belongs_to_the_previous_day_only() {
        // Monday 20:00–02:00 with Sunday closed: Monday 01:00 is closed.
        let hours = closed_week_with(0, DayHours::new(20, 0, 2, 0));
        assert!(!is_open(&hours, jakarta(0, 1, 0)));
        assert!(is_open(&hours, jakarta(1, 1, 0)));
    }

    #[test]
    fn the_same_instant_is_open_in_jakarta_but_closed_in_jayapura() {
        let jakarta_hours = BusinessHours::default();
        let jayapura_hours = BusinessHours {
            time_zone: "Asia/Jayapura".into(),
            ..BusinessHours::default()
        };
        let now = utc(0, 9, 30); // 16:30 WIB, 18:30 WIT
        assert!(is_open(&jakarta_hours, now));
        assert!(!is_open(&jayapura_hours, now));
    }

    #[test]
    fn the_same_instant_is_closed_in_jakarta_but_open_in_jayapura() {
        let jakarta_hours = BusinessHours::default();
        let jayapura_hours = BusinessHours {
            time_zone: "Asia/Jayapura".into(),
            ..BusinessHours::default()
        };
        let now = utc(0, 0, 30); // 07:30 WIB, 09:30 WIT
        assert!(!is_open(&jakarta_hours, now));
        assert!(is_open(&jayapura_hours, now));
    }

    #[test]
    fn makassar_is_one_hour_ahead_of_jakarta() {
        let hours = BusinessHours {
            time_zone: "Asia/Makassar".into(),
            ..BusinessHours::default()
        };
        assert!(is_open(&hours, utc(0, 0, 30)), "08:30 WITA");
        assert!(!is_open(&hours, utc(0, 9, 0)), "17:00 WITA");
        assert!(is_open(&hours, jakarta(0, 15, 59)), "16:59 WITA");
        assert!(!is_open(&hours, jakarta(0, 16, 0)), "17:00 WITA");
    }

    #[test]
    fn an_unknown_time_zone_is_evaluated_as_jakarta() {
        let hours = BusinessHours {
            time_zone: "Mars/Olympus_Mons".into(),
            ..BusinessHours::default()
        };
        assert!(is_open(&hours, jakarta(0, 8, 30)), "01:30 UTC");
        assert!(!is_open(&hours, jakarta(0, 18, 0)), "11:00 UTC");
    }

    #[test]
    fn always_open_is_open_at_any_time_and_valid() {
        let hours = BusinessHours::always_open();
        assert_eq!(hours.validate(), Ok(()));
        for day in 0..7 {
            for h in [0, 7, 12, 23] {
                assert!(is_open(&hours, utc(day, h, 0)));
            }
        }
    }

    #[test]
    fn validate_accepts_the_default_and_rejects_bad_zones_and_empty_hours() {
        assert_eq!(BusinessHours::default().validate(), Ok(()));
        let bad_zone = BusinessHours {
            time_zone: "Asia/Jakata".into(),
            ..BusinessHours::default()
        };
        let err = bad_zone.validate().unwrap_err();
        assert_eq!(err, BotError::UnknownTimeZone("Asia/Jakata".into()));
        assert_eq!(err.code(), "unknown_time_zone");

        let empty = closed_week_with(3, DayHours::new(9, 0, 9, 0));
        let err = empty.validate().unwrap_err();
        assert_eq!(err, BotError::EmptyHours { day: Weekday::Thu });
        assert_eq!(err.code(), "empty_hours");

        assert_eq!(
            closed_week_with(3, DayHours::new(22, 0, 6, 0)).validate(),
            Ok(())
        );
        assert_eq!(closed_week_with(3, DayHours::all_day()).validate(), Ok(()));
    }
}
