//! Request metrics, named as upstream names them (`apiserver_request_total`,
//! `apiserver_request_duration_seconds`).

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, Opts, Registry, TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    total: IntCounterVec,
    duration: HistogramVec,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let total = IntCounterVec::new(
            Opts::new("apiserver_request_total", "Counter of apiserver requests broken out by verb, resource and HTTP response code."),
            &["verb", "resource", "code"],
        )
        .expect("valid counter");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "apiserver_request_duration_seconds",
                "Response latency distribution in seconds for each verb and resource.",
            )
            .buckets(vec![
                0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0,
            ]),
            &["verb", "resource"],
        )
        .expect("valid histogram");
        registry
            .register(Box::new(total.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(duration.clone()))
            .expect("unique metric");
        Metrics {
            registry,
            total,
            duration,
        }
    }

    pub fn observe(&self, verb: &str, resource: &str, code: u16, took: Duration) {
        self.total
            .with_label_values(&[verb, resource, &code.to_string()])
            .inc();
        if verb != "watch" {
            self.duration
                .with_label_values(&[verb, resource])
                .observe(took.as_secs_f64());
        }
    }

    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.registry.gather(), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Metrics {
        Metrics::new()
    }
}
