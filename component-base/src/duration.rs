//! Go durations as upstream's flags take them (`90s`, `24h`, `1h30m`, `8760h0m0s`, `500ms`).
//!
//! Not here: the `us`/`ns` units and negative durations.

use std::time::Duration;

/// Parse a Go duration; `0` alone is zero.
pub fn parse(s: &str) -> anyhow::Result<Duration> {
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    if s.is_empty() {
        anyhow::bail!("invalid duration \"\"");
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let n = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .ok_or_else(|| anyhow::anyhow!("time: missing unit in duration {s:?}"))?;
        let value: f64 = rest[..n]
            .parse()
            .map_err(|_| anyhow::anyhow!("time: invalid duration {s:?}"))?;
        let unit_end = rest[n..]
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .map_or(rest.len(), |i| n + i);
        let scale = match &rest[n..unit_end] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            u => anyhow::bail!("time: unknown unit {u:?} in duration {s:?}"),
        };
        total += value * scale;
        rest = &rest[unit_end..];
    }
    Ok(Duration::from_secs_f64(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse("0").unwrap(), Duration::ZERO);
        assert_eq!(parse("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(
            parse("8760h0m0s").unwrap(),
            Duration::from_secs(8760 * 3600)
        );
        assert_eq!(parse("500ms").unwrap(), Duration::from_millis(500));
        assert!(parse("10").is_err());
        assert!(parse("5d").is_err());
        assert!(parse("").is_err());
    }
}
