//! The processor connector against test processors: real HTTP servers on 127.0.0.1 that
//! behave like processors' APIs, failures included (`support`).

mod auth;
mod callbacks;
mod config;
mod conformance;
mod failures;
mod jobs;
mod logs;
mod opendsr;
mod requests;
mod support;
