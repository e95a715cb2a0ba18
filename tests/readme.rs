//! Every command line of the README runs on the shipped assets: `tests/readme_outputs.sh` runs
//! them in order in a fresh folder (with `assets/` linked in) on the native CPU path and, when
//! there is an adapter, on the software adapter; every one must exit 0 and the two devices
//! must write the same set of files.

use std::collections::BTreeSet;

use crate::common;

fn run(devices: &[&str]) -> String {
    let out = std::process::Command::new("bash")
        .arg(common::repo().join("tests/readme_outputs.sh"))
        .arg(env!("CARGO_BIN_EXE_climidx"))
        .args(devices)
        .env("NODEVICE_SELECT", "1")
        .output()
        .expect("bash runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_readme_command_runs_on_the_shipped_assets() {
    let mut devices = vec!["cpu"];
    if common::software_or_skip("every_readme_command_runs_on_the_shipped_assets (software)") {
        devices.push("software");
    }
    let listing = run(&devices);
    let readme = std::fs::read_to_string(common::repo().join("README.md")).unwrap();
    let mut failed = Vec::new();
    let mut commands = 0;
    for line in listing
        .lines()
        .filter(|l| l.split(' ').nth(1) == Some("status"))
    {
        let f: Vec<&str> = line.split(' ').collect();
        commands += 1;
        if f[3] != "0" {
            failed.push(format!(
                "{} command {} ({}) exited {}",
                f[0], f[2], f[4], f[3]
            ));
        }
    }
    assert!(
        commands >= 30 * devices.len(),
        "only {commands} commands found in the README"
    );
    assert!(
        failed.is_empty(),
        "README commands that fail:\n{}",
        failed.join("\n")
    );
    // The same files on every device (their bytes differ only in the recorded device).
    let files = |dev: &str| -> BTreeSet<String> {
        listing
            .lines()
            .filter(|l| l.starts_with(&format!("{dev} ")) && !l.contains(" status "))
            .map(|l| l.rsplit(' ').next().unwrap().to_string())
            .collect()
    };
    let cpu = files("cpu");
    assert!(cpu.len() >= 40, "{cpu:?}");
    for dev in &devices[1..] {
        assert_eq!(files(dev), cpu, "{dev} wrote other files than cpu");
    }
    assert!(readme.contains("bash .ci/run"));
}
