//! The server builder: a layer wraps every call on every listener (gRPC and HTTP alike),
//! a further listener serves HTTP/1.1, and one shutdown signal stops them all.

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use erasure_runtime::server::Server;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tonic::service::Routes;
use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_client::HealthClient;

/// What a layer of the authentication issue will do: refuse a call without a credential.
async fn only_with_pass(req: Request, next: Next) -> Response {
    match req.headers().get("x-pass") {
        Some(v) if v == "yes" => next.run(req).await,
        _ => StatusCode::UNAUTHORIZED.into_response(),
    }
}

async fn listener() -> (TcpListener, String) {
    let l = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    (l, addr)
}

/// GET `path` over HTTP/1.1; the status line and the body.
async fn http_get(addr: &str, path: &str, pass: bool) -> (String, String) {
    let mut s = TcpStream::connect(addr).await.expect("connect");
    let header = if pass { "x-pass: yes\r\n" } else { "" };
    let request =
        format!("GET {path} HTTP/1.1\r\nhost: {addr}\r\n{header}connection: close\r\n\r\n");
    s.write_all(request.as_bytes()).await.expect("write");
    let mut answer = String::new();
    s.read_to_string(&mut answer).await.expect("read");
    let status = answer.lines().next().unwrap_or_default().to_owned();
    let body = answer
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

async fn health(addr: &str, pass: bool) -> Result<i32, tonic::Status> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{addr}"))
        .expect("endpoint")
        .connect()
        .await
        .expect("connect");
    let mut client = HealthClient::with_interceptor(channel, move |mut r: tonic::Request<()>| {
        if pass {
            r.metadata_mut()
                .insert("x-pass", "yes".parse().expect("ascii"));
        }
        Ok(r)
    });
    let answer = client.check(HealthCheckRequest::default()).await?;
    Ok(answer.into_inner().status)
}

#[tokio::test]
async fn a_layer_wraps_grpc_and_http_and_shutdown_stops_every_listener() {
    let (reporter, health_service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status("", tonic_health::ServingStatus::Serving)
        .await;
    let (grpc, grpc_addr) = listener().await;
    let (http, http_addr) = listener().await;
    let page = axum::Router::new().route("/hello", get(|| async { "hello" }));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = Server::new(grpc, Routes::new(health_service))
        .listener(http, page)
        .layer(middleware::from_fn(only_with_pass));
    let serving = tokio::spawn(server.serve(async {
        let _ = stopped.await;
    }));

    let refused = health(&grpc_addr, false).await.expect_err("no pass");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated, "{refused:?}");
    let serving_status = tonic_health::pb::health_check_response::ServingStatus::Serving as i32;
    assert_eq!(
        health(&grpc_addr, true).await.expect("pass"),
        serving_status
    );

    let (status, _) = http_get(&http_addr, "/hello", false).await;
    assert!(status.contains(" 401 "), "{status}");
    let (status, body) = http_get(&http_addr, "/hello", true).await;
    assert!(status.contains(" 200 "), "{status}");
    assert_eq!(body, "hello");

    stop.send(()).expect("server running");
    let served = tokio::time::timeout(Duration::from_secs(10), serving)
        .await
        .expect("stops on shutdown")
        .expect("joined");
    assert!(served.is_ok(), "{served:?}");
    for addr in [&grpc_addr, &http_addr] {
        assert!(
            TcpStream::connect(addr).await.is_err(),
            "{addr} still accepts"
        );
    }
}
