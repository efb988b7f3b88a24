//! `rapport serve`: the HTTP server.

use super::Ctx;
use crate::cli::ServeArgs;
use anyhow::{Context, Result};
use std::path::Path;
use std::sync::Arc;

pub async fn run(ctx: &Ctx, args: ServeArgs) -> Result<()> {
    let engine = Arc::new(ctx.engine().await?);
    let addr = args.addr.unwrap_or_else(|| ctx.settings.server.addr.clone());
    let token = api_token(&ctx.settings.server.api_token, &ctx.settings.data_dir)?;
    let state = rapport_web::AppState::new(engine, token, ctx.settings.server.max_body_bytes);
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    println!("rapport listening on http://{}", listener.local_addr()?);
    println!("  GET /healthz   GET /metrics   /api/v1/... (Authorization: Bearer <token>)");
    rapport_web::run(listener, state, shutdown_signal()).await?;
    Ok(())
}

/// The configured token, or one kept in `<data_dir>/api-token` (made on first use, readable by
/// the owner only). The token itself is never printed.
fn api_token(configured: &str, data_dir: &Path) -> Result<String> {
    if !configured.is_empty() {
        return Ok(configured.to_string());
    }
    let path = data_dir.join("api-token");
    if let Ok(existing) = std::fs::read_to_string(&path) {
        let t = existing.trim().to_string();
        if t.len() >= 32 {
            return Ok(t);
        }
    }
    std::fs::create_dir_all(data_dir)?;
    let token = rapport_web::new_token();
    write_private(&path, &token)?;
    println!("made an API token; it is in {}", path.display());
    Ok(token)
}

fn write_private(path: &Path, content: &str) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(path)
        .with_context(|| format!("cannot write {}", path.display()))?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
}
