//! Which exposition format `/metrics` answers in. `prometheus-client` writes `OpenMetrics` 1.0
//! only; Prometheus asks for it (`Accept: application/openmetrics-text…`) and gets it. Everyone
//! else — `curl`, `promtool check metrics`, older scrapers — gets the classic Prometheus text
//! format 0.0.4, as `client_golang` does by default. The two differ only in metadata lines:
//! `OpenMetrics` names a counter family without its `_total` suffix and an info family without
//! `_info`, has an `info` type and `# UNIT` lines, and ends with `# EOF`; the text format has
//! none of that, so a counter's `# TYPE` must name the `_total` series or parsers (promtool)
//! see an untyped metric without help. Samples are written the same way in both.

/// The `OpenMetrics` content type.
pub const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";
/// The classic Prometheus text format's content type.
pub const TEXT: &str = "text/plain; version=0.0.4; charset=utf-8";

/// True when the `Accept` header prefers `OpenMetrics`: it names `application/openmetrics-text`
/// with a quality above zero and at least that of any range matching `text/plain`.
pub fn wants_openmetrics(accept: Option<&str>) -> bool {
    let Some(accept) = accept else {
        return false;
    };
    let (mut openmetrics, mut text) = (0.0_f64, 0.0_f64);
    for range in accept.split(',') {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or_default().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
            .find_map(|q| q.trim().parse::<f64>().ok())
            .unwrap_or(1.0);
        match media.as_str() {
            "application/openmetrics-text" => openmetrics = openmetrics.max(quality),
            "text/plain" | "text/*" | "*/*" => text = text.max(quality),
            _ => {}
        }
    }
    openmetrics > 0.0 && openmetrics >= text
}

/// Rewrites `prometheus-client`'s `OpenMetrics` exposition in the classic text format.
pub fn to_text_format(openmetrics: &str) -> String {
    let mut out = String::with_capacity(openmetrics.len());
    let mut help: Option<(&str, &str)> = None;
    for line in openmetrics.lines() {
        if let Some(rest) = line.strip_prefix("# HELP ") {
            if let Some((name, text)) = help.take() {
                push_help(&mut out, name, text);
            }
            help = Some(rest.split_once(' ').unwrap_or((rest, "")));
        } else if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or((rest, "unknown"));
            let (family, kind) = match kind {
                "counter" => (format!("{name}_total"), "counter"),
                "info" => (format!("{name}_info"), "gauge"),
                "gauge" | "histogram" | "summary" => (name.to_owned(), kind),
                _ => (name.to_owned(), "untyped"),
            };
            match help.take() {
                Some((helped, text)) if helped == name => push_help(&mut out, &family, text),
                Some((other, text)) => push_help(&mut out, other, text),
                None => {}
            }
            out.push_str("# TYPE ");
            out.push_str(&family);
            out.push(' ');
            out.push_str(kind);
            out.push('\n');
        } else if line.starts_with("# UNIT ") || line == "# EOF" {
            // No such lines in the text format; the unit is already in the name.
        } else {
            out.push_str(line);
            out.push('\n');
        }
    }
    if let Some((name, text)) = help {
        push_help(&mut out, name, text);
    }
    out
}

fn push_help(out: &mut String, name: &str, text: &str) {
    out.push_str("# HELP ");
    out.push_str(name);
    out.push(' ');
    out.push_str(text);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prometheus_gets_openmetrics_and_everyone_else_text() {
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert!(wants_openmetrics(Some(prometheus)));
        assert!(wants_openmetrics(Some("application/openmetrics-text")));
        assert!(!wants_openmetrics(None));
        assert!(!wants_openmetrics(Some("*/*")));
        assert!(!wants_openmetrics(Some("text/plain")));
        assert!(!wants_openmetrics(Some(
            "application/openmetrics-text;q=0.2, text/plain;q=0.9"
        )));
        assert!(!wants_openmetrics(Some("application/openmetrics-text;q=0")));
    }

    #[test]
    fn counters_and_info_are_renamed_units_and_eof_dropped() {
        let openmetrics = "\
# HELP x_probes Probes run.
# TYPE x_probes counter
x_probes_total{monitor=\"a\",verdict=\"success\"} 3
# HELP x_latency_seconds Latency.
# TYPE x_latency_seconds histogram
# UNIT x_latency_seconds seconds
x_latency_seconds_sum{monitor=\"a\"} 0.5
x_latency_seconds_count{monitor=\"a\"} 3
x_latency_seconds_bucket{le=\"+Inf\",monitor=\"a\"} 3
# HELP x_build The running version.
# TYPE x_build info
x_build_info{version=\"0.1.0\"} 1
# HELP x_status Status.
# TYPE x_status gauge
x_status{monitor=\"a\"} 0
# EOF
";
        let text = "\
# HELP x_probes_total Probes run.
# TYPE x_probes_total counter
x_probes_total{monitor=\"a\",verdict=\"success\"} 3
# HELP x_latency_seconds Latency.
# TYPE x_latency_seconds histogram
x_latency_seconds_sum{monitor=\"a\"} 0.5
x_latency_seconds_count{monitor=\"a\"} 3
x_latency_seconds_bucket{le=\"+Inf\",monitor=\"a\"} 3
# HELP x_build_info The running version.
# TYPE x_build_info gauge
x_build_info{version=\"0.1.0\"} 1
# HELP x_status Status.
# TYPE x_status gauge
x_status{monitor=\"a\"} 0
";
        assert_eq!(to_text_format(openmetrics), text);
    }
}
