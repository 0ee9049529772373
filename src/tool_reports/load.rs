//! Load-test summaries: k6 (`--summary-export` and `handleSummary` JSON),
//! Locust (`--csv` stats), Artillery (`--output` JSON), JMeter (`.jtl` CSV)
//! and Gatling (`js/stats.json`). All become one [`LoadSummary`].

use super::{Body, Detection, Family, from_millis, malformed, number, report};
use serde_json::Value;

/// Latency in milliseconds, error rate in percent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LoadSummary {
    pub requests: u64,
    pub failed: u64,
    pub mean_ms: Option<f64>,
    pub p95_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    pub rps: Option<f64>,
    /// Peak concurrent virtual users, when the tool records it.
    pub vus_max: Option<f64>,
}

impl LoadSummary {
    pub fn error_rate(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.failed as f64 * 100.0 / self.requests as f64
        }
    }
}

fn bad(format: &'static str, reason: impl Into<String>) -> Detection {
    malformed(Family::LoadTest, format, reason)
}

/// k6 writes each metric flat in `--summary-export` (`{"avg": …}`) and
/// under `values` in the `handleSummary` data (`{"type": "trend",
/// "values": {"avg": …}}`).
pub fn read_k6(summary: &Value) -> Detection {
    let metrics = &summary["metrics"];
    let values = |name: &str| -> Option<&Value> {
        let metric = metrics.get(name)?;
        Some(metric.get("values").unwrap_or(metric))
    };
    let Some(duration) = values("http_req_duration") else {
        return bad("k6 summary", "no `http_req_duration` metric");
    };
    let Some(mean_ms) = number(&duration["avg"]) else {
        return bad("k6 summary", "`http_req_duration` has no `avg`");
    };
    let reqs = values("http_reqs");
    let requests = reqs.and_then(|r| number(&r["count"])).unwrap_or(0.0) as u64;
    // `http_req_failed` is a rate: `passes` counts the requests for which
    // it was true, i.e. the failed ones.
    let failed = values("http_req_failed").map_or(0, |f| {
        number(&f["passes"])
            .map(|p| p as u64)
            .or_else(|| number(&f["rate"]).map(|r| (r * requests as f64).round() as u64))
            .or_else(|| number(&f["value"]).map(|r| (r * requests as f64).round() as u64))
            .unwrap_or(0)
    });
    let load = LoadSummary {
        requests,
        failed,
        mean_ms: Some(mean_ms),
        p95_ms: number(&duration["p(95)"]),
        p99_ms: number(&duration["p(99)"]),
        rps: reqs.and_then(|r| number(&r["rate"])),
        vus_max: values("vus_max").and_then(|v| number(&v["max"]).or_else(|| number(&v["value"]))),
    };
    report("k6", None, Body::Load(load))
}

/// Locust `--csv PREFIX` writes `PREFIX_stats.csv`; its `Aggregated` row
/// sums every endpoint.
pub fn read_locust(text: &str) -> Detection {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => return bad("Locust stats CSV", error.to_string()),
    };
    let column = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(name), Some(count), Some(failures), Some(average)) = (
        column("Name"),
        column("Request Count"),
        column("Failure Count"),
        column("Average Response Time"),
    ) else {
        return bad(
            "Locust stats CSV",
            "missing one of the columns Name, Request Count, Failure Count, Average Response Time",
        );
    };
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(error) => return bad("Locust stats CSV", error.to_string()),
        };
        if record.get(name).map(str::trim) != Some("Aggregated") {
            continue;
        }
        let field = |column: Option<usize>| -> Option<f64> {
            column
                .and_then(|c| record.get(c))
                .and_then(|v| v.trim().parse::<f64>().ok())
        };
        let (Some(requests), Some(failed)) = (field(Some(count)), field(Some(failures))) else {
            return bad(
                "Locust stats CSV",
                format!(
                    "row {}: request or failure count is not a number",
                    index + 2
                ),
            );
        };
        let load = LoadSummary {
            requests: requests as u64,
            failed: failed as u64,
            mean_ms: field(Some(average)),
            p95_ms: field(column("95%")),
            p99_ms: field(column("99%")),
            rps: field(column("Requests/s")),
            vus_max: None,
        };
        return report("Locust", None, Body::Load(load));
    }
    bad("Locust stats CSV", "no `Aggregated` row")
}

/// Artillery 2: `aggregate.counters` and `aggregate.summaries`.
pub fn read_artillery(value: &Value) -> Detection {
    let aggregate = &value["aggregate"];
    let counters = aggregate["counters"].as_object();
    let counter = |name: &str| counters.and_then(|c| c.get(name)).and_then(number);
    let Some(timing) = aggregate["summaries"]
        .get("http.response_time")
        .or_else(|| aggregate["summaries"].get("http.response_time.2xx"))
    else {
        return bad("Artillery", "no `http.response_time` summary");
    };
    let requests = counter("http.requests").unwrap_or(0.0) as u64;
    // Requests that got no response (`errors.ETIMEDOUT`…) or a 5xx.
    let failed: f64 = counters.map_or(0.0, |c| {
        c.iter()
            .filter(|(name, _)| {
                name.starts_with("errors.")
                    || name
                        .strip_prefix("http.codes.")
                        .is_some_and(|code| code.starts_with('5'))
            })
            .filter_map(|(_, v)| number(v))
            .sum()
    });
    let period = |key: &str| number(&aggregate[key]);
    let duration_s = match (period("firstMetricAt"), period("lastMetricAt")) {
        (Some(first), Some(last)) if last > first => Some((last - first) / 1000.0),
        _ => None,
    };
    let rps = aggregate["rates"]
        .get("http.request_rate")
        .and_then(number)
        .or_else(|| duration_s.map(|s| requests as f64 / s));
    let load = LoadSummary {
        requests,
        failed: failed as u64,
        mean_ms: number(&timing["mean"]),
        p95_ms: number(&timing["p95"]),
        p99_ms: number(&timing["p99"]),
        rps,
        vus_max: None,
    };
    let date = period("lastMetricAt")
        .or_else(|| period("lastCounterAt"))
        .and_then(from_millis);
    report("Artillery", date, Body::Load(load))
}

/// JMeter's CSV results: one sample per row (`timeStamp` in epoch ms,
/// `elapsed` in ms, `success`, `allThreads`).
pub fn read_jmeter(text: &str) -> Detection {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(headers) => headers.clone(),
        Err(error) => return bad("JMeter JTL", error.to_string()),
    };
    let column = |name: &str| headers.iter().position(|h| h == name);
    let (Some(at), Some(elapsed), Some(success)) =
        (column("timeStamp"), column("elapsed"), column("success"))
    else {
        return bad(
            "JMeter JTL",
            "missing one of the columns timeStamp, elapsed, success",
        );
    };
    let threads = column("allThreads");
    let mut latencies = Vec::new();
    let mut failed = 0;
    let (mut first, mut last) = (f64::INFINITY, 0.0f64);
    let mut peak: Option<f64> = None;
    for (index, record) in reader.records().enumerate() {
        let record = match record {
            Ok(record) => record,
            Err(error) => return bad("JMeter JTL", error.to_string()),
        };
        let parse = |c: usize| record.get(c).and_then(|v| v.trim().parse::<f64>().ok());
        let (Some(start), Some(ms)) = (parse(at), parse(elapsed)) else {
            return bad(
                "JMeter JTL",
                format!(
                    "row {}: `timeStamp` or `elapsed` is not a number",
                    index + 2
                ),
            );
        };
        first = first.min(start);
        last = last.max(start + ms);
        latencies.push(ms);
        if record.get(success).map(str::trim) != Some("true") {
            failed += 1;
        }
        if let Some(n) = threads.and_then(parse) {
            peak = Some(peak.map_or(n, |p: f64| p.max(n)));
        }
    }
    if latencies.is_empty() {
        return bad("JMeter JTL", "no samples");
    }
    latencies.sort_by(f64::total_cmp);
    let requests = latencies.len() as u64;
    let seconds = (last - first) / 1000.0;
    let load = LoadSummary {
        requests,
        failed,
        mean_ms: Some(latencies.iter().sum::<f64>() / latencies.len() as f64),
        p95_ms: Some(crate::live::percentile(&latencies, 95.0)),
        p99_ms: Some(crate::live::percentile(&latencies, 99.0)),
        rps: (seconds > 0.0).then(|| requests as f64 / seconds),
        vus_max: peak,
    };
    report("JMeter", from_millis(last), Body::Load(load))
}

/// Gatling's `js/stats.json`: the `All Requests` group. With Gatling's
/// default `percentiles` setting `percentiles3` is the 95th and
/// `percentiles4` the 99th.
pub fn read_gatling(value: &Value) -> Detection {
    let stats = &value["stats"];
    let total = |key: &str| number(&stats[key]["total"]);
    let Some(requests) = total("numberOfRequests") else {
        return bad("Gatling stats", "`numberOfRequests.total` is not a number");
    };
    let load = LoadSummary {
        requests: requests as u64,
        failed: number(&stats["numberOfRequests"]["ko"]).unwrap_or(0.0) as u64,
        mean_ms: total("meanResponseTime"),
        p95_ms: total("percentiles3"),
        p99_ms: total("percentiles4"),
        rps: total("meanNumberOfRequestsPerSecond"),
        vus_max: None,
    };
    report("Gatling", None, Body::Load(load))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(detection: Detection) -> LoadSummary {
        match detection {
            Detection::Report(report) => match report.body {
                Body::Load(load) => load,
                other => panic!("{other:?}"),
            },
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn k6_both_summary_shapes() {
        let export = serde_json::json!({"metrics": {
            "http_req_duration": {"avg": 120.5, "p(95)": 640.0, "p(99)": 900.0},
            "http_req_failed": {"passes": 3, "fails": 997, "value": 0.003},
            "http_reqs": {"count": 1000, "rate": 33.3},
            "vus_max": {"value": 50, "min": 50, "max": 50}
        }});
        let summary = load(read_k6(&export));
        assert_eq!((summary.requests, summary.failed), (1000, 3));
        assert_eq!(summary.p95_ms, Some(640.0));
        assert!((summary.error_rate() - 0.3).abs() < 1e-9);
        let handle = serde_json::json!({"metrics": {
            "http_req_duration": {"type": "trend", "values": {"avg": 20.0, "p(95)": 45.0}},
            "http_req_failed": {"type": "rate", "values": {"rate": 0.0, "passes": 0, "fails": 10}},
            "http_reqs": {"type": "counter", "values": {"count": 10, "rate": 2.0}}
        }});
        let summary = load(read_k6(&handle));
        assert_eq!((summary.p95_ms, summary.p99_ms), (Some(45.0), None));
    }

    #[test]
    fn jmeter_samples_are_summarised() {
        let mut jtl = String::from(
            "timeStamp,elapsed,label,responseCode,responseMessage,threadName,dataType,success,failureMessage,bytes,sentBytes,grpThreads,allThreads,URL,Latency,IdleTime,Connect\n",
        );
        for i in 0..20u64 {
            let ok = if i == 7 { "false" } else { "true" };
            jtl.push_str(&format!(
                "{},{},GET /,200,OK,t 1-1,text,{ok},,10,10,4,4,http://x/,5,0,1\n",
                1_764_000_000_000u64 + i * 100,
                10 * (i + 1)
            ));
        }
        let summary = load(read_jmeter(&jtl));
        assert_eq!((summary.requests, summary.failed), (20, 1));
        assert_eq!(summary.p95_ms, Some(190.0));
        assert_eq!(summary.vus_max, Some(4.0));
    }

    #[test]
    fn locust_needs_its_aggregated_row() {
        let header = "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n";
        let rows = "GET,/a,10,1,5,6.5,1,20,11,2.0,0.2,5,6,7,8,9,15,18,20,20,20,20\n,Aggregated,10,1,5,6.5,1,20,11,2.0,0.2,5,6,7,8,9,15,18,20,20,20,20\n";
        let summary = load(read_locust(&format!("{header}{rows}")));
        assert_eq!(summary.p95_ms, Some(15.0));
        assert!(matches!(read_locust(header), Detection::Malformed { .. }));
    }
}
