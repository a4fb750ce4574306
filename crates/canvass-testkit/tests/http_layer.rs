//! The shared HTTP layer (canvass-core's `http` module) against a simulator
//! over loopback: retries, Retry-After, rate limits, faults, OAuth2 token
//! handling, error mapping and secret redaction.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use canvass_core::Error;
use canvass_core::http::{
    Auth, HttpClient, HttpConfig, OAuth2ClientCredentials, RateLimit, RetryPolicy, VendorError,
};
use canvass_testkit::{AuthRule, Faults, Reply, RequestExt, Route, Sim, SimRateLimit};
use serde_json::json;

const KEY: &str = "sk-live-7d1e0c5a9b";

fn client(sim: &Sim, auth: Auth) -> HttpClient {
    HttpClient::new(
        HttpConfig::new("testvendor", sim.url("/api/"))
            .auth(auth)
            .retry(RetryPolicy::fast()),
    )
    .expect("client")
}

async fn counting_route(sim: &Sim, route: Route, answers: Vec<Reply>) -> Arc<AtomicU32> {
    let calls = Arc::new(AtomicU32::new(0));
    let c = calls.clone();
    sim.route(route, move |_| {
        let n = c.fetch_add(1, Ordering::SeqCst) as usize;
        answers
            .get(n)
            .cloned()
            .unwrap_or_else(|| Reply::json(200, &json!({"ok": true, "call": n})))
    })
    .await;
    calls
}

#[tokio::test]
async fn retries_429_honouring_retry_after() {
    let sim = Sim::start().await;
    let calls = counting_route(
        &sim,
        Route::get("^/api/items$"),
        vec![Reply::json(429, &json!({})).header("retry-after", "1")],
    )
    .await;
    let started = Instant::now();
    let v: serde_json::Value = client(&sim, Auth::None)
        .get("items")
        .send_json("items")
        .await
        .expect("ok");
    assert_eq!(v["call"], 1);
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    // The fast policy's own backoff is at most 100 ms: the wait came from Retry-After.
    assert!(
        started.elapsed() >= Duration::from_millis(950),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_retry_after_longer_than_the_cap_is_returned_not_slept() {
    let sim = Sim::start().await;
    counting_route(
        &sim,
        Route::get("^/api/items$"),
        vec![Reply::json(429, &json!({})).header("retry-after", "3600")],
    )
    .await;
    let started = Instant::now();
    let err = client(&sim, Auth::None)
        .get("items")
        .send()
        .await
        .unwrap_err();
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn retries_5xx_on_reads_but_not_on_posts() {
    let sim = Sim::start().await;
    let gets = counting_route(
        &sim,
        Route::get("^/api/x$"),
        vec![Reply::text(503, "busy"), Reply::text(502, "bad gw")],
    )
    .await;
    let posts = counting_route(
        &sim,
        Route::post("^/api/x$"),
        vec![Reply::text(503, "busy")],
    )
    .await;
    let c = client(&sim, Auth::None);
    c.get("x").send().await.expect("get retried");
    assert_eq!(gets.load(Ordering::SeqCst), 3);
    let err = c.post("x").json(&json!({"a": 1})).send().await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 503, .. }), "{err}");
    assert_eq!(
        posts.load(Ordering::SeqCst),
        1,
        "a POST is not retried blindly"
    );
}

#[tokio::test]
async fn a_post_marked_safe_is_retried() {
    let sim = Sim::start().await;
    let posts = counting_route(
        &sim,
        Route::post("^/api/upsert$"),
        vec![Reply::text(503, "busy")],
    )
    .await;
    client(&sim, Auth::None)
        .post("upsert")
        .retry_safe()
        .send()
        .await
        .expect("retried");
    assert_eq!(posts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_post_is_retried_after_429_because_the_vendor_did_not_act_on_it() {
    let sim = Sim::start().await;
    let posts = counting_route(
        &sim,
        Route::post("^/api/x$"),
        vec![Reply::json(429, &json!({}))],
    )
    .await;
    client(&sim, Auth::None)
        .post("x")
        .send()
        .await
        .expect("retried");
    assert_eq!(posts.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn truncated_bodies_and_dropped_connections_are_retried() {
    let sim = Sim::start().await;
    let body = json!({"items": (0..50).map(|i| json!({"id": i, "name": format!("person {i}")})).collect::<Vec<_>>()});
    let b = body.clone();
    sim.route(Route::get("^/api/items$"), move |_| Reply::json(200, &b))
        .await;
    // Every new request's first attempt is faulted; its retry goes through.
    let c = client(&sim, Auth::None);
    for (faults, what) in [
        (
            Faults {
                truncate_every: Some(1),
                ..Faults::none()
            },
            "truncation",
        ),
        (
            Faults {
                drop_every: Some(1),
                ..Faults::none()
            },
            "dropped connection",
        ),
    ] {
        sim.control().set_faults(faults);
        sim.control().reset_stats();
        for page in 0..3 {
            let v: serde_json::Value = c
                .get("items")
                .query_pair("page", page.to_string())
                .send_json("items")
                .await
                .unwrap_or_else(|e| panic!("{what} not retried: {e}"));
            assert_eq!(v, body);
        }
        let stats = sim.control().stats();
        assert_eq!((stats.faulted, stats.requests), (3, 6), "{what}");
    }
}

#[tokio::test]
async fn a_dropped_connection_surfaces_as_a_transport_error_when_retries_run_out() {
    let sim = Sim::start().await;
    sim.route(Route::get("^/api/items$"), |_| {
        Reply::json(200, &json!({"a": "b".repeat(100)}))
    })
    .await;
    sim.control().set_faults(Faults {
        drop_every: Some(1),
        ..Faults::none()
    });
    let c =
        HttpClient::new(HttpConfig::new("testvendor", sim.url("/api/")).retry(RetryPolicy::none()))
            .expect("client");
    let err = c.get("items").send().await.unwrap_err();
    assert!(matches!(err, Error::Transport { .. }), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn decode_errors_name_the_path_and_show_an_excerpt() {
    let sim = Sim::start().await;
    sim.route(Route::get("^/api/people$"), |_| {
        Reply::json(
            200,
            &json!({"data": [{"id": 1, "given_name": "Ana"}, {"id": "two", "given_name": "Bo"}]}),
        )
    })
    .await;
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Page {
        data: Vec<Item>,
    }
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Item {
        id: u64,
        given_name: String,
    }
    let err = client(&sim, Auth::None)
        .get("people")
        .send_json::<Page>("people page")
        .await
        .unwrap_err();
    match &err {
        Error::Decode {
            entity,
            path,
            excerpt,
            truncated,
            ..
        } => {
            assert_eq!(entity, "people page");
            assert_eq!(path, "data[1].id");
            assert!(excerpt.contains("two"), "{excerpt}");
            assert!(!truncated);
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.is_retryable(), "schema drift is not retried");
}

fn vendor_error(body: &[u8]) -> Option<VendorError> {
    let v: serde_json::Value = serde_json::from_slice(body).ok()?;
    let e = v.get("errors")?.get(0)?;
    Some(VendorError {
        code: e.get("code").and_then(|c| c.as_str()).map(str::to_string),
        message: e.get("text")?.as_str()?.to_string(),
        fields: e
            .get("properties")
            .and_then(|p| p.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|s| s.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default(),
    })
}

#[tokio::test]
async fn vendor_error_bodies_map_onto_error_kinds() {
    let sim = Sim::start().await;
    sim.route(Route::post("^/api/events$"), |_| {
        Reply::json(400, &json!({"errors": [{"code": "INVALID_PARAMETER", "text": "dateEnd must come after dateBegin", "properties": ["dateBegin", "dateEnd"]}]}))
    })
    .await;
    sim.route(Route::get("^/api/people/42$"), |_| {
        Reply::json(
            404,
            &json!({"errors": [{"code": "NOT_FOUND", "text": "no such person"}]}),
        )
    })
    .await;
    let c = HttpClient::new(
        HttpConfig::new("van", sim.url("/api/"))
            .retry(RetryPolicy::fast())
            .error_body(vendor_error),
    )
    .expect("client");
    match c.post("events").json(&json!({})).send().await.unwrap_err() {
        Error::Api {
            status,
            code,
            fields,
            message,
            ..
        } => {
            assert_eq!(status, 400);
            assert_eq!(code.as_deref(), Some("INVALID_PARAMETER"));
            assert_eq!(fields, vec!["dateBegin", "dateEnd"]);
            assert!(message.contains("dateEnd must come after dateBegin"));
        }
        other => panic!("{other:?}"),
    }
    let err = c.get("people/42").send().await.unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { what, .. } if what.contains("/api/people/42")),
        "{err}"
    );
}

#[tokio::test]
async fn runs_at_the_rate_limit_without_provoking_429() {
    let sim = Sim::start().await;
    sim.route(Route::get("^/api/items$"), |_| Reply::json(200, &json!([])))
        .await;
    sim.control()
        .set_rate_limit(Some(SimRateLimit::per_second(20.0)));
    // Let the bucket start full, as a real vendor's would after idling.
    let c = HttpClient::new(
        HttpConfig::new("testvendor", sim.url("/api/"))
            .rate_limit(RateLimit::per_second(20.0))
            .retry(RetryPolicy::none()),
    )
    .expect("client");
    let started = Instant::now();
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.get("items").send().await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await
            .expect("join")
            .expect("no 429 even with 40 concurrent callers");
    }
    let elapsed = started.elapsed().as_secs_f64();
    assert_eq!(sim.control().stats().throttled, 0);
    // 40 requests evenly spaced at 20/s span 1.95 s.
    assert!(elapsed >= 1.8, "{elapsed}");
}

#[tokio::test]
async fn a_sliding_window_refuses_the_request_that_makes_one_too_many_in_a_second() {
    let sim = Sim::start().await;
    sim.route(Route::get("^/api/items$"), |_| Reply::json(200, &json!([])))
        .await;
    // A bucket deep enough to allow anything: only the window refuses.
    sim.control().set_rate_limit(Some(
        SimRateLimit {
            burst: 100.0,
            ..SimRateLimit::per_second(5.0)
        }
        .with_sliding_window(),
    ));
    let c =
        HttpClient::new(HttpConfig::new("testvendor", sim.url("/api/")).retry(RetryPolicy::none()))
            .expect("client");
    let started = Instant::now();
    let mut answers = Vec::new();
    for _ in 0..6 {
        answers.push(c.get("items").send().await.is_ok());
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "too slow to judge"
    );
    assert_eq!(answers, [true, true, true, true, true, false]);
    assert_eq!(sim.control().stats().throttled, 1);
    // A second after the first, the window has room again.
    tokio::time::sleep(Duration::from_millis(1_050)).await;
    assert!(c.get("items").send().await.is_ok());
}

#[tokio::test]
async fn the_client_limit_holds_under_a_sliding_window_with_jitter() {
    let sim = Sim::start().await;
    sim.route(Route::get("^/api/items$"), |_| Reply::json(200, &json!([])))
        .await;
    sim.control()
        .set_rate_limit(Some(SimRateLimit::per_second(10.0).with_sliding_window()));
    sim.control().set_request_jitter(Duration::from_millis(30));
    let c = HttpClient::new(
        HttpConfig::new("testvendor", sim.url("/api/"))
            .rate_limit(RateLimit::per_second(10.0))
            .retry(RetryPolicy::none()),
    )
    .expect("client");
    // Concurrent callers, as a prefetching connector has: the window bounds
    // the requests in flight, so jitter cannot bunch them at the server.
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let c = c.clone();
            tokio::spawn(async move { c.get("items").send().await.map(|_| ()) })
        })
        .collect();
    for t in tasks {
        t.await
            .expect("join")
            .expect("no 429 under a sliding window");
    }
    let stats = sim.control().stats();
    assert_eq!(stats.throttled, 0);
    let share = (stats.requests - 1) as f64 / sim.control().active_span().as_secs_f64() / 10.0;
    assert!(share >= 0.9, "{share}");
}

#[tokio::test]
async fn without_a_client_limit_the_simulator_answers_429() {
    let sim = Sim::start().await;
    sim.route(Route::get("^/api/items$"), |_| Reply::json(200, &json!([])))
        .await;
    sim.control().set_rate_limit(Some(SimRateLimit {
        retry_after: Some(0),
        ..SimRateLimit::per_second(5.0)
    }));
    let c =
        HttpClient::new(HttpConfig::new("testvendor", sim.url("/api/")).retry(RetryPolicy::none()))
            .expect("client");
    let mut throttled = 0;
    for _ in 0..20 {
        if let Err(e) = c.get("items").send().await {
            assert!(matches!(e, Error::RateLimited { .. }), "{e}");
            throttled += 1;
        }
    }
    assert!(throttled > 0);
    assert_eq!(sim.control().stats().throttled, throttled);
}

fn echoing_auth(sim: &Sim, header: &'static str, expected: String) {
    sim.control().set_auth(AuthRule {
        check: Box::new(move |req| req.header_str(header).as_deref() == Some(expected.as_str())),
        reject: Box::new(move |req| {
            let presented = req.header_str(header).unwrap_or_default();
            Reply::json(
                401,
                &json!({"error": format!("API Key invalid or not present: {presented}")}),
            )
        }),
    });
}

#[tokio::test]
async fn a_wrong_key_never_appears_in_errors_debug_or_logs() {
    let sim = Sim::start().await;
    sim.route(Route::get("^/api/people$"), |_| {
        Reply::json(200, &json!([]))
    })
    .await;
    echoing_auth(&sim, "osdi-api-token", "the-right-key".into());

    let logs = capture_logs();
    let c = client(&sim, Auth::header("OSDI-API-Token", KEY).expect("header"));
    let err = c.get("people").send().await.unwrap_err();
    assert!(err.is_auth(), "{err}");
    let shown = format!("{err} | {err:?} | {c:?}");
    assert!(!shown.contains(KEY), "{shown}");
    assert!(
        shown.contains("[REDACTED]"),
        "the echoed key was scrubbed: {shown}"
    );
    assert!(!logs.text().contains(KEY));

    // Basic auth: the key in `key|mode` must not leak either, whole or in part.
    let basic = client(&sim, Auth::basic("app", format!("{KEY}|1")));
    let err = basic.get("people").send().await.unwrap_err();
    assert!(!format!("{err} {err:?} {basic:?}").contains(KEY));
    // Bearer.
    let bearer = client(&sim, Auth::bearer(KEY));
    assert!(!format!("{bearer:?}").contains(KEY));
    assert!(!logs.text().contains(KEY));
}

#[tokio::test]
async fn oauth2_token_is_cached_reminted_on_401_and_never_logged() {
    let sim = Sim::start().await;
    let minted = Arc::new(AtomicU32::new(0));
    let m = minted.clone();
    sim.route(Route::post("^/oauth/token$").public(), move |req| {
        let body = req.json_body();
        if body["client_secret"] != "s3cret-client-value" {
            return Reply::json(401, &json!({"code": 401, "message": format!("bad secret {}", body["client_secret"])}));
        }
        let n = m.fetch_add(1, Ordering::SeqCst);
        Reply::json(200, &json!({"access_token": format!("tok-{n}-abcdef"), "expires_in": 7200, "token_type": "Bearer"}))
    })
    .await;
    // tok-0 is revoked after the second request: the server answers 401 to it.
    let uses = Arc::new(AtomicU32::new(0));
    let u = uses.clone();
    sim.route(Route::get("^/api/leads$"), move |req| {
        let auth = req.header_str("authorization").unwrap_or_default();
        let n = u.fetch_add(1, Ordering::SeqCst);
        if auth == "Bearer tok-0-abcdef" && n >= 2 {
            return Reply::json(401, &json!({"code": 401, "message": "token revoked"}));
        }
        if auth.starts_with("Bearer tok-") {
            Reply::json(200, &json!({"ok": auth}))
        } else {
            Reply::json(401, &json!({"code": 401}))
        }
    })
    .await;

    let logs = capture_logs();
    let auth = |secret: &str| {
        Auth::OAuth2(OAuth2ClientCredentials::new(
            sim.url("/oauth/token"),
            "client-1",
            secret,
        ))
    };
    let c = client(&sim, auth("s3cret-client-value"));
    for _ in 0..2 {
        c.get("leads").send().await.expect("ok");
    }
    assert_eq!(minted.load(Ordering::SeqCst), 1, "the token is cached");
    let v: serde_json::Value = c
        .get("leads")
        .send_json("leads")
        .await
        .expect("re-minted after 401");
    assert_eq!(v["ok"], "Bearer tok-1-abcdef");
    assert_eq!(minted.load(Ordering::SeqCst), 2);
    assert!(!logs.text().contains("tok-1-abcdef") && !logs.text().contains("s3cret-client-value"));
    assert!(!format!("{c:?}").contains("s3cret-client-value"));

    // A wrong secret: an auth error, scrubbed, and after three failures the
    // client stops asking (vendors block an IP that keeps failing).
    let bad = client(&sim, auth("wrong-secret-value-123"));
    for _ in 0..5 {
        let err = bad.get("leads").send().await.unwrap_err();
        assert!(err.is_auth(), "{err}");
        assert!(
            !format!("{err:?}").contains("wrong-secret-value-123"),
            "{err:?}"
        );
    }
    assert_eq!(minted.load(Ordering::SeqCst), 2);
    let token_requests = sim
        .control()
        .stats()
        .by_route
        .get("POST /oauth/token")
        .copied()
        .unwrap_or(0);
    assert_eq!(
        token_requests,
        2 + OAuth2ClientCredentials::MAX_FAILURES as u64
    );
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused() {
    let sim = Sim::start().await;
    let c = client(&sim, Auth::bearer(KEY));
    let err = c
        .get("https://evil.example/steal")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Api { code: Some(code), .. } if code == "FOREIGN_LINK"),
        "{err}"
    );
    assert_eq!(sim.control().stats().requests, 0);
}

#[tokio::test]
async fn unexpected_requests_get_a_readable_404() {
    let sim = Sim::start().await;
    let err = client(&sim, Auth::None)
        .get("nowhere")
        .send()
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("unexpected request: GET /api/nowhere"),
        "{err}"
    );
}

/// Captures every tracing event (at TRACE level) for the test's duration.
fn capture_logs() -> Captured {
    use std::sync::Mutex;
    #[derive(Clone, Default)]
    struct Sink(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let sink = Sink::default();
    let s = sink.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || s.clone())
        .finish();
    let guard = tracing::subscriber::set_default(subscriber);
    Captured {
        sink: sink.0,
        _guard: guard,
    }
}

struct Captured {
    sink: Arc<std::sync::Mutex<Vec<u8>>>,
    _guard: tracing::subscriber::DefaultGuard,
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.sink.lock().expect("lock")).into_owned()
    }
}
