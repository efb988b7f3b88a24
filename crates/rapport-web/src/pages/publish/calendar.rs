//! `GET /publish/calendar?view=week|month&date=YYYY-MM-DD&tz=Zone`: the queue by day, in the
//! time zone asked for (UTC by default): what is scheduled, waiting for approval, going out
//! and gone out. On a phone the grid becomes a list of the days that hold something.

use super::excerpt;
use crate::AppState;
use crate::pages::{Chrome, message, render};
use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use chrono::{Datelike, Days, Months, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rapport_domain::Permission;
use rapport_domain::publication::PublicationQuery;
use rapport_engine::accounts::Principal;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
pub struct CalendarParams {
    #[serde(default)]
    view: String,
    #[serde(default)]
    date: String,
    #[serde(default)]
    tz: String,
}

struct Item {
    href: String,
    time: String,
    text: String,
    status: &'static str,
    status_key: &'static str,
    late: bool,
}

struct Day {
    label: String,
    other: bool,
    today: bool,
    items: Vec<Item>,
}

#[derive(Template)]
#[template(path = "publish_calendar.html")]
struct CalendarPage {
    chrome: Chrome,
    tab: &'static str,
    can_write: bool,
    view: &'static str,
    title: String,
    tz: String,
    date: String,
    prev: String,
    next: String,
    other_view: String,
    weekdays: [&'static str; 7],
    days: Vec<Day>,
    problem: String,
}

pub async fn calendar(
    State(state): State<AppState>,
    Extension(p): Extension<Principal>,
    Query(params): Query<CalendarParams>,
) -> Response {
    let mut problem = String::new();
    let tz: Tz = match params.tz.trim() {
        "" => Tz::UTC,
        name => name.parse().unwrap_or_else(|_| {
            problem = format!("unknown time zone '{name}': showing UTC");
            Tz::UTC
        }),
    };
    let today = Utc::now().with_timezone(&tz).date_naive();
    let date = match params.date.trim() {
        "" => today,
        d => NaiveDate::parse_from_str(d, "%Y-%m-%d").unwrap_or_else(|_| {
            problem = format!("'{d}' is not a date (YYYY-MM-DD): showing today");
            today
        }),
    };
    let month = params.view == "month";
    // The grid runs Monday to Sunday over the week, or over the weeks the month touches.
    let (first_shown, last_shown, title, prev, next) = if month {
        let first = date.with_day(1).unwrap_or(date);
        let last = first + Months::new(1) - Days::new(1);
        let start = first - Days::new(first.weekday().num_days_from_monday().into());
        let end = last + Days::new((6 - last.weekday().num_days_from_monday()).into());
        (
            start,
            end,
            first.format("%B %Y").to_string(),
            first - Months::new(1),
            first + Months::new(1),
        )
    } else {
        let start = date - Days::new(date.weekday().num_days_from_monday().into());
        let end = start + Days::new(6);
        (
            start,
            end,
            format!("Week of {}", start.format("%-d %B %Y")),
            start - Days::new(7),
            start + Days::new(7),
        )
    };
    // A day starts at its first minute that exists (a few zones skip midnight when their
    // clocks change).
    let bound = |d: NaiveDate| {
        (0..=3)
            .find_map(|h| {
                tz.from_local_datetime(&d.and_hms_opt(h, 0, 0).unwrap_or_default())
                    .earliest()
            })
            .map(|t| t.with_timezone(&Utc))
    };
    let query = PublicationQuery {
        from: bound(first_shown),
        until: bound(last_shown + Days::new(1)),
        limit: 1_000,
        ..Default::default()
    };
    let views = match state.engine.publications().list(&query, Utc::now()).await {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "the publishing calendar failed");
            return message(
                StatusCode::INTERNAL_SERVER_ERROR,
                Chrome::for_principal(&p, "Error", "publish"),
                "Something went wrong",
                "The calendar could not be read; try again.",
            );
        }
    };
    let zone = tz.name().to_string();
    let mut days: Vec<Day> = Vec::new();
    let mut d = first_shown;
    while d <= last_shown {
        days.push(Day {
            label: d.format("%a %-d %b").to_string(),
            other: month && d.month() != date.month(),
            today: d == today,
            items: Vec::new(),
        });
        d = d + Days::new(1);
    }
    for v in views {
        let pubn = &v.publication;
        let Some(at) = pubn.scheduled_for.or(pubn.released_at) else {
            continue;
        };
        let local_at = at.with_timezone(&tz);
        let index = (local_at.date_naive() - first_shown).num_days();
        if let Some(day) = usize::try_from(index).ok().and_then(|i| days.get_mut(i)) {
            day.items.push(Item {
                href: format!("/publish/{}", pubn.id),
                time: local_at.format("%H:%M").to_string(),
                text: excerpt(&pubn.body, 60),
                status: pubn.status.label(),
                status_key: pubn.status.as_str(),
                late: v.late.is_some(),
            });
        }
    }
    let view = if month { "month" } else { "week" };
    let link = |view: &str, d: NaiveDate| {
        format!(
            "/publish/calendar?view={view}&date={}&tz={}",
            d.format("%Y-%m-%d"),
            urlencoding(&zone)
        )
    };
    render(
        StatusCode::OK,
        &CalendarPage {
            chrome: Chrome::for_principal(&p, "Publishing calendar", "publish"),
            tab: "calendar",
            can_write: p.can(Permission::WritePublications),
            view,
            title: format!("{title} ({zone})"),
            tz: zone.clone(),
            date: date.format("%Y-%m-%d").to_string(),
            prev: link(view, prev),
            next: link(view, next),
            other_view: link(if month { "week" } else { "month" }, date),
            weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            days,
            problem,
        },
    )
}

/// Zone names hold only letters, digits, `/`, `_`, `-` and `+`: only `+` needs escaping.
fn urlencoding(zone: &str) -> String {
    zone.replace('+', "%2B")
}
