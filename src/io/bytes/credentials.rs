//! AWS credentials from a shared credentials file (`~/.aws/credentials`, or
//! `AWS_SHARED_CREDENTIALS_FILE`), section `AWS_PROFILE` (or `default`), as the AWS CLI and
//! GDAL read them. Only static keys (`aws_access_key_id`, `aws_secret_access_key`,
//! `aws_session_token`); SSO and role profiles are not read.

pub(super) struct Keys {
    pub(super) key_id: String,
    pub(super) secret: String,
    pub(super) token: Option<String>,
}

/// The profile's keys; `None` when there is no credentials file or no such section (then the
/// S3 client tries its other sources: web identity, container and instance credentials).
pub(super) fn from_profile() -> Result<Option<Keys>, String> {
    let file = match std::env::var_os("AWS_SHARED_CREDENTIALS_FILE") {
        Some(f) => std::path::PathBuf::from(f),
        None => match std::env::var_os("HOME") {
            Some(h) => std::path::Path::new(&h).join(".aws/credentials"),
            None => return Ok(None),
        },
    };
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(None);
    };
    let profile = std::env::var("AWS_PROFILE").unwrap_or_else(|_| "default".into());
    parse(&text, &profile)
        .map(|k| {
            k.ok_or_else(|| {
                format!(
                    "{}: profile [{profile}] has no aws_access_key_id/aws_secret_access_key",
                    file.display()
                )
            })
        })
        .transpose()
}

/// `Some(Some(keys))` for a complete section, `Some(None)` for a section lacking keys, `None`
/// when the section is absent.
fn parse(text: &str, profile: &str) -> Option<Option<Keys>> {
    let (mut found, mut id, mut secret, mut token) = (false, None, None, None);
    let mut inside = false;
    for line in text.lines().map(str::trim) {
        if line.starts_with('[') && line.ends_with(']') {
            inside = line[1..line.len() - 1].trim() == profile;
            found |= inside;
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        if !inside {
            continue;
        }
        let v = v.trim().to_string();
        match k.trim() {
            "aws_access_key_id" => id = Some(v),
            "aws_secret_access_key" => secret = Some(v),
            "aws_session_token" => token = Some(v),
            _ => {}
        }
    }
    found.then(|| {
        Some(Keys {
            key_id: id?,
            secret: secret?,
            token,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reads_the_named_section_only() {
        let t = "[default]\naws_access_key_id = A\naws_secret_access_key = B\n\n[other]\naws_access_key_id=C\naws_secret_access_key=D\naws_session_token=E\n";
        let k = parse(t, "other").unwrap().unwrap();
        assert_eq!(
            (k.key_id.as_str(), k.secret.as_str(), k.token.as_deref()),
            ("C", "D", Some("E"))
        );
        let k = parse(t, "default").unwrap().unwrap();
        assert_eq!((k.key_id.as_str(), k.token), ("A", None));
        assert!(parse(t, "missing").is_none());
        assert!(parse("[p]\naws_access_key_id=A\n", "p").unwrap().is_none());
    }
}
