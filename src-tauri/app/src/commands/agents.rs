//! Commands on remote agents (docs/ipc.md): list, add (checked by a live `/api/status` with the
//! token before anything is saved), change a token, remove (its keyring entry too); act on a
//! remote monitor (check now, agent-wide snooze: only with a control token), mute it on this
//! desktop, and read its history through the agent's viewer API. Tokens never leave the shell.

use std::fmt::Write as _;
use std::sync::Arc;

use ehlowatch_engine::{StateChange, Window};
use hyper::Method;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tauri::{AppHandle, Emitter, Runtime, State};

use crate::bridge::events;
use crate::error::AppError;
use crate::sources::client::Secret;
use crate::sources::entry::{self, AgentInput, AgentSource};
use crate::sources::view::{AgentProblem, AgentProblemKind, SourceView};
use crate::sources::{Shared, Sources};
use crate::state::AppStateRef;

/// The managed sources every agent command takes.
pub type SourcesRef<'a> = State<'a, Arc<Sources>>;

/// Every remote agent as shown now.
#[tauri::command]
pub async fn list_agents(sources: SourcesRef<'_>) -> Result<Vec<SourceView>, AppError> {
    Ok(sources.list())
}

/// Adds an agent after a live check with its token; the token goes to the keyring (or this
/// session's memory), never to `settings.json`.
#[tauri::command]
pub async fn add_agent<R: Runtime>(
    app: AppHandle<R>,
    state: AppStateRef<'_>,
    sources: SourcesRef<'_>,
    agent: AgentInput,
) -> Result<SourceView, AppError> {
    let problems = entry::input_problems(&agent, &sources.names());
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let token = Secret::new(&agent.token);
    let status = Shared::check(&agent.url, agent.ca_file.as_deref(), &token).await?;
    let source = AgentSource {
        name: agent.name.clone(),
        url: agent.url.trim_end_matches('/').to_owned(),
        ca_file: agent.ca_file.clone(),
        muted: std::collections::BTreeMap::new(),
    };
    let stored = source.clone();
    state
        .update(move |s| {
            s.agents.push(stored);
            Ok(())
        })
        .await?;
    sources.add(source, &token, status).await;
    emit(&app, &sources);
    sources
        .view(&agent.name)
        .ok_or(AppError::NotFound(agent.name))
}

/// Gives an agent a new token, checked live first.
#[tauri::command]
pub async fn set_agent_token<R: Runtime>(
    app: AppHandle<R>,
    sources: SourcesRef<'_>,
    name: String,
    token: String,
) -> Result<SourceView, AppError> {
    if let Some(problem) = entry::token_problem("token", &token) {
        return Err(AppError::Invalid(vec![problem]));
    }
    let source = sources
        .entry(&name)
        .ok_or_else(|| AppError::NotFound(name.clone()))?;
    let token = Secret::new(&token);
    let status = Shared::check(&source.url, source.ca_file.as_deref(), &token).await?;
    sources.set_token(&name, &token, status).await;
    emit(&app, &sources);
    sources.view(&name).ok_or(AppError::NotFound(name))
}

/// Removes an agent and forgets its token.
#[tauri::command]
pub async fn remove_agent<R: Runtime>(
    app: AppHandle<R>,
    state: AppStateRef<'_>,
    sources: SourcesRef<'_>,
    name: String,
) -> Result<(), AppError> {
    sources
        .entry(&name)
        .ok_or_else(|| AppError::NotFound(name.clone()))?;
    let gone = name.clone();
    state
        .update(move |s| {
            s.agents.retain(|a| a.name != gone);
            Ok(())
        })
        .await?;
    sources.remove(&name).await;
    emit(&app, &sources);
    Ok(())
}

/// Probes a remote monitor now (control token only).
#[tauri::command]
pub async fn remote_check_now(
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
) -> Result<(), AppError> {
    control(&sources, &source, &monitor, Method::POST, "check", None).await
}

/// Snoozes a remote monitor on its agent for `minutes`, or until resumed (control token only).
#[tauri::command]
pub async fn remote_snooze(
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
    minutes: Option<u32>,
) -> Result<(), AppError> {
    let body = serde_json::to_vec(&serde_json::json!({ "minutes": minutes }))
        .map_err(|e| AppError::Storage(e.to_string()))?;
    control(
        &sources,
        &source,
        &monitor,
        Method::POST,
        "snooze",
        Some(body),
    )
    .await
}

/// Lifts a remote monitor's snooze on its agent (control token only).
#[tauri::command]
pub async fn remote_unsnooze(
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
) -> Result<(), AppError> {
    control(&sources, &source, &monitor, Method::DELETE, "snooze", None).await
}

/// Mutes a remote monitor on this desktop until `until` (RFC 3339), or unmutes it (null).
#[tauri::command]
pub async fn mute_remote<R: Runtime>(
    app: AppHandle<R>,
    state: AppStateRef<'_>,
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
    until: Option<chrono::DateTime<chrono::Utc>>,
) -> Result<(), AppError> {
    sources
        .entry(&source)
        .ok_or_else(|| AppError::NotFound(source.clone()))?;
    let name = source.clone();
    let (muted, _) = state
        .update(move |s| {
            let agent = s
                .agents
                .iter_mut()
                .find(|a| a.name == name)
                .ok_or_else(|| AppError::NotFound(name.clone()))?;
            match until {
                Some(until) => agent.muted.insert(monitor, until),
                None => agent.muted.remove(&monitor),
            };
            Ok(agent.muted.clone())
        })
        .await?;
    sources.set_muted(&source, muted);
    emit(&app, &sources);
    Ok(())
}

/// A remote monitor's stats over `window` (the engine's `Stats`).
#[tauri::command]
pub async fn remote_stats(
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
    window: Window,
) -> Result<Value, AppError> {
    let stats: Value = read(&sources, &source, &monitor, "stats", Some(window)).await?;
    shaped(&sources, &source, stats, |v| {
        v.get("probes").is_some_and(Value::is_u64)
    })
}

/// A remote monitor's latency chart over `window` (`SeriesPoint[]`).
#[tauri::command]
pub async fn remote_series(
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
    window: Window,
) -> Result<Value, AppError> {
    let series: Value = read(&sources, &source, &monitor, "series", Some(window)).await?;
    shaped(&sources, &source, series, |v| {
        v.as_array().is_some_and(|points| {
            points
                .iter()
                .all(|p| p.get("start").is_some_and(Value::is_string))
        })
    })
}

/// A remote monitor's state changes over `window`, oldest first.
#[tauri::command]
pub async fn remote_events(
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
    window: Window,
) -> Result<Vec<StateChange>, AppError> {
    read(&sources, &source, &monitor, "events", Some(window)).await
}

/// A remote monitor's last failure with its transcript (`ResultRecord | null`).
#[tauri::command]
pub async fn remote_last_failure(
    sources: SourcesRef<'_>,
    source: String,
    monitor: String,
) -> Result<Value, AppError> {
    let last: Value = read(&sources, &source, &monitor, "last-failure", None).await?;
    shaped(&sources, &source, last, |v| {
        v.is_null() || v.get("verdict").is_some_and(Value::is_string)
    })
}

/// `value` when it has the shape of the agent's answer (the engine's `Stats`, `SeriesPoint[]`,
/// `ResultRecord | null`, serialised by the same code on the agent); else `not_an_agent`.
fn shaped(
    sources: &Sources,
    source: &str,
    value: Value,
    ok: impl Fn(&Value) -> bool,
) -> Result<Value, AppError> {
    if ok(&value) {
        return Ok(value);
    }
    let url = sources.entry(source).map(|e| e.url).unwrap_or_default();
    Err(AppError::Agent(AgentProblem {
        kind: AgentProblemKind::NotAnAgent,
        message: format!("{url}: the answer is not an EHLO Watch agent's"),
    }))
}

/// The client of `source` when its token may act; else a `forbidden` problem.
async fn controller(
    sources: &Sources,
    source: &str,
) -> Result<crate::sources::client::AgentClient, AppError> {
    let can = sources
        .can_control(source)
        .ok_or_else(|| AppError::NotFound(source.to_owned()))?;
    let client = sources.client_of(source).await.ok_or_else(|| {
        AppError::Agent(AgentProblem {
            kind: AgentProblemKind::Unauthorized,
            message: format!("no token is known for the agent {source} on this desktop"),
        })
    })?;
    if !can {
        return Err(AppError::Agent(AgentProblem {
            kind: AgentProblemKind::Forbidden,
            message: format!(
                "{}: the token of {source} may read but not act; give it the control token",
                client.url()
            ),
        }));
    }
    Ok(client)
}

/// `method` on the agent's `/api/monitors/<monitor>/<action>`, with `source`'s control token.
async fn control(
    sources: &Sources,
    source: &str,
    monitor: &str,
    method: Method,
    action: &str,
    body: Option<Vec<u8>>,
) -> Result<(), AppError> {
    let client = controller(sources, source).await?;
    let path = format!("/api/monitors/{}/{action}", encode(monitor));
    Ok(client.act(method, &path, body).await?)
}

async fn read<T: DeserializeOwned>(
    sources: &Sources,
    source: &str,
    monitor: &str,
    what: &str,
    window: Option<Window>,
) -> Result<T, AppError> {
    sources
        .entry(source)
        .ok_or_else(|| AppError::NotFound(source.to_owned()))?;
    let client = sources.client_of(source).await.ok_or_else(|| {
        AppError::Agent(AgentProblem {
            kind: AgentProblemKind::Unauthorized,
            message: format!("no token is known for the agent {source} on this desktop"),
        })
    })?;
    let mut path = format!("/api/monitors/{}/{what}", encode(monitor));
    if let Some(window) = window {
        let w = serde_json::to_value(window).map_err(|e| AppError::Storage(e.to_string()))?;
        path.push_str("?window=");
        path.push_str(w.as_str().unwrap_or("24h"));
    }
    Ok(client.get_json(&path).await?)
}

/// A monitor id as one URL path segment.
fn encode(id: &str) -> String {
    let mut out = String::new();
    for b in id.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn emit<R: Runtime>(app: &AppHandle<R>, sources: &Sources) {
    let _ = app.emit(events::SOURCES, sources.list());
}
