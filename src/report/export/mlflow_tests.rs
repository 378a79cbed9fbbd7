//! The MLflow client against a misbehaving server (a std TCP listener
//! standing in for one); the real server is exercised in tests/interop.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// A server that answers every `runs/search` with the same page token,
/// for as many requests as it gets (up to `answers`), on its own thread.
fn stuck_server(answers: usize) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let uri = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().take(answers) {
            let mut stream = stream.unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).unwrap();
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap();
                }
                if line.trim().is_empty() {
                    break;
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let answer = r#"{"runs": [], "next_page_token": "again"}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    uri
}

#[test]
fn a_search_whose_page_token_comes_back_is_refused_not_followed_for_ever() {
    // Enough answers for a client that never stops to be caught out by
    // the server going away (an `unreachable`), not by the guard.
    let server = super::Server::new(stuck_server(50), 1);
    let Err(err) = server.existing("0", "abc") else {
        panic!("a search whose page token comes back must fail");
    };
    let text = err.to_string();
    assert!(text.contains("runs/search"), "{text}");
    let detail = format!("{err:?}");
    assert!(detail.contains("came back a second time"), "{detail}");
}
