//! The private PostgreSQL used when `DATABASE_URL` is unset: a cluster under
//! `$INBOX_DATA_DIR/postgres`, created on first start with the system's PostgreSQL binaries,
//! listening only on a Unix socket inside that directory (no TCP port), and stopped when the
//! server exits. PostgreSQL refuses to run as root, so as root it runs as the `postgres`
//! system user, which then owns the directory.

use anyhow::{bail, Context};
use nix::unistd::{Gid, Uid, User};
use sqlx::postgres::PgConnectOptions;
use sqlx::{ConnectOptions, Connection};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The superuser and database the app uses inside the private cluster.
const DB_USER: &str = "inbox";
const DB_NAME: &str = "inbox";
const PORT: u16 = 5432;

#[derive(Debug)]
pub struct EmbeddedPostgres {
    bin_dir: PathBuf,
    pgdata: PathBuf,
    socket_dir: PathBuf,
    log_file: PathBuf,
    run_as: Option<(Uid, Gid)>,
}

impl EmbeddedPostgres {
    /// Creates the cluster if needed and starts it (or adopts one left running by a server that
    /// was killed). Returns once it accepts connections and the `inbox` database exists.
    pub async fn start(data_dir: &Path, bin_override: Option<&Path>) -> anyhow::Result<Self> {
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("create {}", data_dir.display()))?;
        let root = data_dir.canonicalize()?.join("postgres");
        let pg = EmbeddedPostgres {
            bin_dir: match bin_override {
                Some(p) => p.to_path_buf(),
                None => find_bin_dir()?,
            },
            pgdata: root.join("data"),
            socket_dir: root.join("run"),
            log_file: root.join("postgres.log"),
            run_as: run_as_user()?,
        };
        if let Some((uid, gid)) = pg.run_as {
            reachable_by(&root, uid, gid)?;
        }
        for dir in [&root, &pg.socket_dir, &pg.pgdata] {
            std::fs::create_dir_all(dir)?;
            pg.give_to_owner(dir)?;
        }
        set_mode(&pg.pgdata, 0o700)?;
        if !pg.pgdata.join("PG_VERSION").exists() {
            tracing::info!(dir = %pg.pgdata.display(), "creating the private PostgreSQL cluster");
            pg.run(
                "initdb",
                &[
                    "-D",
                    path_str(&pg.pgdata)?,
                    "-U",
                    DB_USER,
                    "-A",
                    "trust",
                    "-E",
                    "UTF8",
                    "--locale=C",
                    "--no-instructions",
                ],
            )
            .context("initdb failed")?;
            std::fs::write(pg.pgdata.join("postgresql.conf"), {
                let mut conf = std::fs::read_to_string(pg.pgdata.join("postgresql.conf"))?;
                conf.push_str("\ninclude_if_exists = 'inbox.conf'\n");
                conf
            })?;
        }
        // Written at every start: the socket directory follows the data directory if it moves.
        std::fs::write(
            pg.pgdata.join("inbox.conf"),
            format!(
                "# Written by the inbox server at every start.\nlisten_addresses = ''\nport = {PORT}\nunix_socket_directories = '{}'\nunix_socket_permissions = 0700\nmax_connections = 60\nshared_buffers = 64MB\n",
                pg.socket_dir.display()
            ),
        )?;
        pg.give_to_owner(&pg.pgdata.join("inbox.conf"))?;
        if pg.is_running() {
            tracing::warn!("a private PostgreSQL left running by an earlier server process was found; using it");
        } else {
            let started = pg.run(
                "pg_ctl",
                &[
                    "start",
                    "-D",
                    path_str(&pg.pgdata)?,
                    "-l",
                    path_str(&pg.log_file)?,
                    "-w",
                    "-t",
                    "60",
                    "-s",
                ],
            );
            if let Err(e) = started {
                let tail = std::fs::read_to_string(&pg.log_file).unwrap_or_default();
                let tail: Vec<&str> = tail
                    .lines()
                    .rev()
                    .take(15)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                bail!(
                    "{e:#}\nlast lines of {}:\n{}",
                    pg.log_file.display(),
                    tail.join("\n")
                );
            }
        }
        pg.create_database().await?;
        tracing::info!(socket = %pg.socket_dir.display(), "private PostgreSQL is ready");
        Ok(pg)
    }

    pub fn connect_options(&self) -> PgConnectOptions {
        PgConnectOptions::new()
            .socket(&self.socket_dir)
            .port(PORT)
            .username(DB_USER)
            .database(DB_NAME)
    }

    pub fn is_running(&self) -> bool {
        path_str(&self.pgdata).is_ok_and(|d| self.run("pg_ctl", &["status", "-D", d]).is_ok())
    }

    /// Fast shutdown: open sessions are ended, committed data is safe.
    pub fn stop(&self) -> anyhow::Result<()> {
        if !self.is_running() {
            return Ok(());
        }
        self.run(
            "pg_ctl",
            &[
                "stop",
                "-D",
                path_str(&self.pgdata)?,
                "-m",
                "fast",
                "-w",
                "-t",
                "60",
                "-s",
            ],
        )?;
        tracing::info!("private PostgreSQL stopped");
        Ok(())
    }

    async fn create_database(&self) -> anyhow::Result<()> {
        let mut conn = self
            .connect_options()
            .database("postgres")
            .connect()
            .await
            .context("connect to the private PostgreSQL")?;
        let exists: bool =
            sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
                .bind(DB_NAME)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            sqlx::query(&format!("create database {DB_NAME}"))
                .execute(&mut conn)
                .await?;
        }
        conn.close().await?;
        Ok(())
    }

    fn run(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let mut cmd = Command::new(self.bin_dir.join(tool));
        cmd.args(args)
            .current_dir(self.pgdata.parent().unwrap_or(Path::new("/")))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            // Its own process group: a Ctrl-C in the terminal reaches the server, which then
            // stops PostgreSQL in order, instead of reaching both at once.
            .process_group(0);
        if let Some((uid, gid)) = self.run_as {
            cmd.uid(uid.as_raw()).gid(gid.as_raw());
        }
        let out = cmd
            .output()
            .with_context(|| format!("run {}", self.bin_dir.join(tool).display()))?;
        if !out.status.success() {
            bail!(
                "{tool} {}: {}: {}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr).trim()
            );
        }
        Ok(())
    }

    fn give_to_owner(&self, path: &Path) -> anyhow::Result<()> {
        if let Some((uid, gid)) = self.run_as {
            std::os::unix::fs::chown(path, Some(uid.as_raw()), Some(gid.as_raw()))
                .with_context(|| format!("chown {}", path.display()))?;
        }
        Ok(())
    }
}

/// PostgreSQL runs as `uid` (the `postgres` system user when we are root): every directory on
/// the way to its data must let that user in, or initdb fails with a bare "Permission denied".
/// Names the directory that does not, and the fix.
fn reachable_by(path: &Path, uid: Uid, gid: Gid) -> anyhow::Result<()> {
    use std::os::unix::fs::MetadataExt;
    for dir in path.ancestors().skip(1) {
        let meta = std::fs::metadata(dir).with_context(|| format!("read {}", dir.display()))?;
        let mode = meta.mode();
        let enters = if meta.uid() == uid.as_raw() {
            mode & 0o100 != 0
        } else if meta.gid() == gid.as_raw() {
            mode & 0o010 != 0
        } else {
            mode & 0o001 != 0
        };
        if !enters {
            bail!(
                "the private PostgreSQL cannot start: it runs as the system user `postgres` (this \
                 server runs as root, and PostgreSQL refuses to run as root), which cannot enter \
                 {dir} (mode {mode:o}, owner uid {owner}). Use an INBOX_DATA_DIR that user can \
                 reach, let it in with `chmod o+x {dir}`, or set DATABASE_URL",
                dir = dir.display(),
                mode = mode & 0o7777,
                owner = meta.uid(),
            );
        }
    }
    Ok(())
}

fn path_str(p: &Path) -> anyhow::Result<&str> {
    p.to_str()
        .with_context(|| format!("path is not UTF-8: {}", p.display()))
}

fn set_mode(p: &Path, mode: u32) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode))
        .with_context(|| format!("chmod {}", p.display()))
}

/// The newest `/usr/lib/postgresql/<version>/bin` that has `initdb` (Debian's layout).
fn find_bin_dir() -> anyhow::Result<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .collect();
    found.sort();
    match found.pop() {
        Some((_, bin)) => Ok(bin),
        None => bail!(
            "DATABASE_URL is unset and no PostgreSQL server binaries were found under /usr/lib/postgresql \
             (install them with `apt-get install -y postgresql`, set INBOX_PG_BIN, or set DATABASE_URL)"
        ),
    }
}

fn run_as_user() -> anyhow::Result<Option<(Uid, Gid)>> {
    if !Uid::effective().is_root() {
        return Ok(None);
    }
    match User::from_name("postgres")? {
        Some(u) => Ok(Some((u.uid, u.gid))),
        None => bail!(
            "running as root, and PostgreSQL refuses to run as root: the private database needs the \
             unprivileged `postgres` system user (the postgresql package creates it), or set DATABASE_URL"
        ),
    }
}
