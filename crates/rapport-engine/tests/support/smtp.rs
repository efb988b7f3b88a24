//! A real SMTP server for the tests: PyPI's aiosmtpd, started by `scripts/smtp-server` on a
//! free port, writing every message it receives to a folder as `<n>.eml`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct SmtpServer {
    child: Child,
    pub port: u16,
    dir: tempfile::TempDir,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/smtp-server");
        let child = Command::new("bash")
            .arg(script)
            .arg("start")
            .arg(port.to_string())
            .arg(dir.path().join("mail"))
            .stdout(Stdio::null())
            .spawn()
            .expect("scripts/smtp-server starts (python3 with venv needed)");
        let server = SmtpServer { child, port, dir };
        // The first run installs aiosmtpd into its cache virtualenv.
        let deadline = Instant::now() + Duration::from_secs(180);
        while tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_err()
        {
            assert!(Instant::now() < deadline, "the SMTP server never listened");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        server
    }

    fn mail_dir(&self) -> PathBuf {
        self.dir.path().join("mail")
    }

    /// The messages received so far, in order: (envelope recipients, the message text).
    pub fn received(&self) -> Vec<(Vec<String>, String)> {
        let Ok(entries) = std::fs::read_dir(self.mail_dir()) else {
            return Vec::new();
        };
        let mut files: Vec<(u64, PathBuf)> = entries
            .filter_map(|e| {
                let p = e.ok()?.path();
                let n = p.file_stem()?.to_str()?.parse().ok()?;
                (p.extension()? == "eml").then_some((n, p))
            })
            .collect();
        files.sort();
        files
            .into_iter()
            .map(|(_, p)| {
                let text = std::fs::read_to_string(p).unwrap();
                let rcpt = text
                    .lines()
                    .filter_map(|l| l.strip_prefix("X-Rcpt-To: "))
                    .map(str::to_string)
                    .collect();
                (rcpt, text)
            })
            .collect()
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
