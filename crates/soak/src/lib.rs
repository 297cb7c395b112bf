//! Soak test of Praatplaat's sync: "nothing lost under faults".
//!
//! - [`proxy`]: a fault-injecting HTTP/1.1 reverse proxy for loopback (also used by the browser
//!   soak through the `proxy` subcommand);
//! - [`native`]: the real server binary behind the proxy, simulated devices editing one
//!   interview, server kills, and the [`oracle`]'s verdict on what the server holds.

pub mod native;
pub mod oracle;
pub mod proxy;
pub mod rng;
