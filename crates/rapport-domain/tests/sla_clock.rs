//! SLA clocks replayed from case histories: pauses while pending, reopen, at-risk and breach
//! boundaries, next-response cycles.

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Europe::Berlin;
use rapport_domain::sla::{
    BusinessCalendar, CaseHistory, ClockPhase, PolicyError, SlaClock, SlaPolicy, SlaReport,
    SlaState, SlaTarget, Targets,
};
use rapport_domain::{CaseStatus, Priority};

use CaseStatus::{New, Open, Pending, Resolved};

/// Monday 4 March 2024, Berlin local time.
fn mon(h: u32, m: u32) -> DateTime<Utc> {
    day(4, h, m)
}

fn day(d: u32, h: u32, m: u32) -> DateTime<Utc> {
    Berlin
        .with_ymd_and_hms(2024, 3, d, h, m, 0)
        .unwrap()
        .with_timezone(&Utc)
}

fn mins(m: i64) -> TimeDelta {
    TimeDelta::minutes(m)
}

fn policy() -> SlaPolicy {
    SlaPolicy::new("standard")
        .with_targets(
            Priority::High,
            Targets {
                first_response: Some(mins(60)),
                next_response: Some(mins(120)),
                resolution: Some(mins(480)),
            },
        )
        .unwrap()
        .with_targets(
            Priority::Low,
            Targets {
                first_response: Some(mins(480)),
                next_response: None,
                resolution: None,
            },
        )
        .unwrap()
}

fn office() -> BusinessCalendar {
    BusinessCalendar::closed(Berlin)
        .with_weekday_hours(&["09:00-17:00".parse().unwrap()])
        .unwrap()
}

fn read(
    statuses: &[(DateTime<Utc>, CaseStatus)],
    posts: &[DateTime<Utc>],
    replies: &[DateTime<Utc>],
    now: DateTime<Utc>,
) -> SlaReport {
    let (p, c) = (policy(), office());
    let history = CaseHistory {
        statuses,
        customer_posts: posts,
        agent_replies: replies,
    };
    SlaClock::new(&p, &c).read(Priority::High, &history, now)
}

#[test]
fn first_response_states_at_the_boundaries() {
    // Opened Monday 10:00; 60 min target, at risk from 48 min, breached after 60.
    let statuses = [(mon(10, 0), New)];
    let table: &[(DateTime<Utc>, SlaState, i64, ClockPhase)] = &[
        (mon(10, 0), SlaState::Ok, 60, ClockPhase::Running),
        (mon(10, 47), SlaState::Ok, 13, ClockPhase::Running),
        (mon(10, 48), SlaState::AtRisk, 12, ClockPhase::Running),
        (mon(11, 0), SlaState::AtRisk, 0, ClockPhase::Running),
        (mon(11, 1), SlaState::Breached, -1, ClockPhase::Running),
    ];
    for &(now, state, remaining, phase) in table {
        let r = read(&statuses, &[mon(10, 0)], &[], now)
            .first_response
            .unwrap();
        assert_eq!(
            (r.state, r.remaining, r.phase),
            (state, mins(remaining), phase),
            "at {now}"
        );
        assert_eq!(
            r.due_at,
            Some(mon(11, 0)),
            "due is fixed while the clock runs, at {now}"
        );
        assert_eq!(r.elapsed + r.remaining, mins(60));
    }
}

#[test]
fn a_reply_stops_the_first_response_clock() {
    let statuses = [(mon(10, 0), New), (mon(10, 30), Open)];
    let on_time = read(&statuses, &[mon(10, 0)], &[mon(10, 55)], mon(15, 0))
        .first_response
        .unwrap();
    assert_eq!(
        (on_time.phase, on_time.state, on_time.elapsed),
        (ClockPhase::Completed, SlaState::Ok, mins(55))
    );
    assert_eq!(
        (on_time.stopped_at, on_time.due_at),
        (Some(mon(10, 55)), None)
    );
    let exactly = read(&statuses, &[mon(10, 0)], &[mon(11, 0)], mon(15, 0))
        .first_response
        .unwrap();
    assert_eq!(
        exactly.state,
        SlaState::Ok,
        "a reply at the due instant meets the target"
    );
    let late = read(&statuses, &[mon(10, 0)], &[mon(11, 30)], mon(15, 0))
        .first_response
        .unwrap();
    assert_eq!(
        (late.state, late.remaining, late.due_at),
        (SlaState::Breached, mins(-30), Some(mon(11, 0)))
    );
}

#[test]
fn business_hours_and_start_outside_them() {
    // Opened Friday 16:30: 30 min count on Friday, the rest from Monday 09:00.
    let fri = day(8, 16, 30);
    let statuses = [(fri, New)];
    let r = read(&statuses, &[fri], &[], day(9, 12, 0))
        .first_response
        .unwrap();
    assert_eq!(
        (r.elapsed, r.state, r.due_at),
        (mins(30), SlaState::Ok, Some(day(11, 9, 30)))
    );
    // Opened on Saturday: nothing counts before Monday 09:00.
    let sat = day(9, 11, 0);
    let r = read(&[(sat, New)], &[sat], &[], day(11, 9, 50))
        .first_response
        .unwrap();
    assert_eq!(
        (r.elapsed, r.state, r.due_at),
        (mins(50), SlaState::AtRisk, Some(day(11, 10, 0)))
    );
}

#[test]
fn pending_pauses_and_resumes() {
    // Open 10:00, pending 10:20-14:00, open again after the customer writes.
    let statuses = [
        (mon(10, 0), New),
        (mon(10, 20), Pending),
        (mon(14, 0), Open),
    ];
    let during = read(&statuses[..2], &[mon(10, 0)], &[], mon(13, 0));
    let fr = during.first_response.unwrap();
    assert_eq!(
        (fr.phase, fr.elapsed, fr.due_at),
        (ClockPhase::Paused, mins(20), None)
    );
    assert_eq!(during.worst_open_state(), Some(SlaState::Ok));
    assert_eq!(during.next_due(), None, "nothing running");

    let after = read(&statuses, &[mon(10, 0), mon(14, 0)], &[], mon(14, 30));
    let fr = after.first_response.unwrap();
    assert_eq!(
        (fr.phase, fr.elapsed, fr.state),
        (ClockPhase::Running, mins(50), SlaState::AtRisk)
    );
    assert_eq!(fr.due_at, Some(mon(14, 40)));
    let res = after.resolution.unwrap();
    // 430 min left: 150 on Monday until 17:00, 280 from Tuesday 09:00.
    assert_eq!((res.elapsed, res.due_at), (mins(50), Some(day(5, 13, 40))));
    assert_eq!(after.next_due(), Some(mon(14, 40)));
}

#[test]
fn resolution_stops_when_resolved_and_resumes_on_reopen() {
    let statuses = [
        (mon(9, 0), New),
        (mon(9, 30), Open),
        (mon(12, 0), Resolved),
        (day(5, 9, 0), Open),
    ];
    let resolved = read(&statuses[..3], &[mon(9, 0)], &[mon(9, 40)], day(5, 8, 0))
        .resolution
        .unwrap();
    assert_eq!(
        (resolved.phase, resolved.elapsed, resolved.stopped_at),
        (ClockPhase::Completed, mins(180), Some(mon(12, 0)))
    );
    assert_eq!(resolved.state, SlaState::Ok);

    let reopened = read(
        &statuses,
        &[mon(9, 0), day(5, 9, 0)],
        &[mon(9, 40)],
        day(5, 13, 0),
    )
    .resolution
    .unwrap();
    assert_eq!(
        (reopened.phase, reopened.elapsed),
        (ClockPhase::Running, mins(180 + 240))
    );
    assert_eq!(
        (reopened.state, reopened.due_at),
        (SlaState::AtRisk, Some(day(5, 14, 0)))
    );

    let breached = read(
        &statuses,
        &[mon(9, 0), day(5, 9, 0)],
        &[mon(9, 40)],
        day(5, 15, 0),
    )
    .resolution
    .unwrap();
    assert_eq!(
        (breached.state, breached.remaining, breached.due_at),
        (SlaState::Breached, mins(-60), Some(day(5, 14, 0)))
    );
}

#[test]
fn next_response_cycles() {
    let statuses = [(mon(9, 0), New), (mon(9, 10), Open)];
    let posts = [mon(9, 0), mon(9, 5), mon(10, 0), mon(10, 30), mon(13, 0)];
    let replies = [mon(9, 20), mon(11, 0)];
    // No next-response clock before the first reply.
    assert_eq!(
        read(&statuses, &posts, &replies, mon(9, 15)).next_response,
        None
    );
    // 10:00 post, answered at 11:00: completed cycle.
    let r = read(&statuses, &posts, &replies, mon(12, 0))
        .next_response
        .unwrap();
    assert_eq!(
        (r.started_at, r.stopped_at, r.elapsed),
        (mon(10, 0), Some(mon(11, 0)), mins(60))
    );
    assert_eq!((r.phase, r.state), (ClockPhase::Completed, SlaState::Ok));
    // 13:00 post, still unanswered at 14:45: 105 of 120 min used.
    let r = read(&statuses, &posts, &replies, mon(14, 45))
        .next_response
        .unwrap();
    assert_eq!(
        (r.started_at, r.phase, r.state, r.due_at),
        (
            mon(13, 0),
            ClockPhase::Running,
            SlaState::AtRisk,
            Some(mon(15, 0))
        )
    );
    // A priority without a next-response target has no such clock.
    let (p, c) = (policy(), office());
    let h = CaseHistory {
        statuses: &statuses,
        customer_posts: &posts,
        agent_replies: &replies,
    };
    let low = SlaClock::new(&p, &c).read(Priority::Low, &h, mon(14, 45));
    assert!(low.next_response.is_none() && low.resolution.is_none());
    assert_eq!(low.first_response.unwrap().goal, mins(480));
    // A priority without any target has no clocks at all.
    assert_eq!(
        SlaClock::new(&p, &c).read(Priority::Urgent, &h, mon(14, 45)),
        SlaReport::default()
    );
}

#[test]
fn configurable_at_risk_fraction_and_validation() {
    let p = policy().with_at_risk_fraction(0.5).unwrap();
    let c = office();
    let statuses = [(mon(10, 0), New)];
    let h = CaseHistory {
        statuses: &statuses,
        customer_posts: &[],
        agent_replies: &[],
    };
    let at = |m| {
        SlaClock::new(&p, &c)
            .read(Priority::High, &h, mon(10, m))
            .first_response
            .unwrap()
            .state
    };
    assert_eq!((at(29), at(30)), (SlaState::Ok, SlaState::AtRisk));
    assert!(matches!(
        policy().with_at_risk_fraction(0.0),
        Err(PolicyError::AtRiskFraction(_))
    ));
    assert!(
        policy().with_at_risk_fraction(1.5).is_err()
            && policy().with_at_risk_fraction(f64::NAN).is_err()
    );
    let err = SlaPolicy::new("x")
        .with_targets(
            Priority::Normal,
            Targets {
                resolution: Some(mins(-5)),
                ..Targets::default()
            },
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "normal resolution target must be positive, got -300 s"
    );
    assert_eq!(SlaState::of(mins(80), mins(100), 0.8), SlaState::AtRisk);
    assert_eq!(SlaTarget::NextResponse.to_string(), "next_response");
}

#[test]
fn replaying_the_past_ignores_later_events_and_24_7_counts_everything() {
    let statuses = [(mon(10, 0), New), (mon(10, 30), Pending)];
    // Read at 10:20: the pending change and the reply have not happened yet.
    let r = read(&statuses, &[mon(10, 0)], &[mon(10, 25)], mon(10, 20))
        .first_response
        .unwrap();
    assert_eq!((r.phase, r.elapsed), (ClockPhase::Running, mins(20)));
    // A 24/7 team counts the night.
    let p = policy();
    let c = BusinessCalendar::always_open(Berlin);
    let st = [(mon(22, 0), New)];
    let h = CaseHistory {
        statuses: &st,
        customer_posts: &[],
        agent_replies: &[],
    };
    let r = SlaClock::new(&p, &c)
        .read(Priority::High, &h, day(5, 0, 0))
        .first_response
        .unwrap();
    assert_eq!(
        (r.elapsed, r.state, r.due_at),
        (mins(120), SlaState::Breached, Some(mon(23, 0)))
    );
    assert_eq!(
        read(&[], &[], &[], mon(12, 0)),
        SlaReport::default(),
        "no history, no clocks"
    );
}

#[test]
fn policies_round_trip_through_json() {
    let p = policy();
    let json = serde_json::to_value(&p).unwrap();
    assert_eq!(json["high"]["first_response_secs"], 3600);
    let back: SlaPolicy = serde_json::from_value(json).unwrap();
    assert_eq!(back, p);
}
